/**
 * workerd reports a pending `reader.read()` of a fetched body as an unhandled rejection at the
 * moment the body is cancelled or its fetch aborted, although the read is awaited and its
 * rejection is handled a moment later (cloudflare/workerd#501; the reason arrives wrapped in a
 * plain Error, "<name>: <message>"). Every stop of a Worker whose take stream runs over a real
 * socket does that, and vitest fails a run with any unhandled rejection.
 *
 * `tolerateCancelledReads()` registers, for the test file that calls it, a listener that takes
 * those reports: one whose message starts with the name of an error the Worker closes its take
 * stream with (WorkerStoppedError on a stop, StreamLostError on a lost stream) is that quirk; any
 * other is kept and fails the test. Vitest leaves unhandled rejections to user code when a listener
 * other than its own is registered.
 */
import { afterAll, afterEach, beforeAll, expect } from "vitest";

interface ProcessEvents {
  on(event: "unhandledRejection", listener: (reason: unknown) => void): void;
  off(event: "unhandledRejection", listener: (reason: unknown) => void): void;
}

const QUIRK = /^(WorkerStoppedError|StreamLostError): /;

export function tolerateCancelledReads(): void {
  // The pool's runner provides `process` (vitest listens on it), without nodejs_compat for the Worker.
  const events = (globalThis as unknown as { process: ProcessEvents }).process;
  const unexpected: unknown[] = [];
  const listener = (reason: unknown): void => {
    if (!(reason instanceof Error && QUIRK.test(reason.message))) unexpected.push(reason);
  };
  beforeAll(() => events.on("unhandledRejection", listener));
  afterEach(() => expect(unexpected.splice(0), "unhandled rejections").toEqual([]));
  afterAll(() => {
    events.off("unhandledRejection", listener);
    expect(unexpected, "unhandled rejections").toEqual([]);
  });
}
