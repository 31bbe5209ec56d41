/**
 * AckBatcher: one bulk ack in flight, no timer before a send, size cap, pipelined acks (two in
 * flight, answered in any order), 422 partial success, retries of transient failures, the nack
 * pool, flush and close. A fake port drives the exact
 * interleavings; the in-memory test server checks the same against real jobs and real faults.
 */
import { describe, expect, it, vi } from "vitest";
import {
  Client,
  type Failure,
  type Job,
  ZizqArgumentError,
  ZizqBadRequestError,
  ZizqConnectionError,
  ZizqError,
  ZizqNotFoundError,
  ZizqServerError,
  ZizqTimeoutError,
} from "../../../src/index.ts";
import { createTestServer } from "../../../src/testing/index.ts";
import { AckBatcher } from "../../../src/processing/ack-batcher.ts";
import type { AckPort } from "../../../src/processing/ack-options.ts";

const request = { method: "POST", path: "/jobs/success" };
const serverError = () => new ZizqServerError(request, 503, "down", { error: "down" });
const connectionError = () => new ZizqConnectionError(request, new TypeError("fetch failed"));
const timeoutError = () => new ZizqTimeoutError(request, 250);
const badRequest = () => new ZizqBadRequestError(request, 400, "bad ids", { error: "bad ids" });
const notFound = () => new ZizqNotFoundError({ method: "POST", path: "/jobs/x/failure" }, 404, "not in flight", {});

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending microtask and I/O callback run. */
const turn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** A port whose every call waits until the test answers it, in order. */
class GatedPort implements AckPort {
  readonly acks: string[][] = [];
  readonly nacks: { id: string; failure: Failure }[] = [];
  private readonly ackAnswers: Deferred<{ notFound: string[] }>[] = [];
  private readonly nackAnswers: Deferred<unknown>[] = [];
  ackInFlight = 0;
  maxAckInFlight = 0;
  nackInFlight = 0;
  maxNackInFlight = 0;

  async ackMany(ids: readonly string[]): Promise<{ notFound: string[] }> {
    this.acks.push([...ids]);
    const answer = deferred<{ notFound: string[] }>();
    this.ackAnswers.push(answer);
    this.maxAckInFlight = Math.max(this.maxAckInFlight, ++this.ackInFlight);
    try {
      return await answer.promise;
    } finally {
      this.ackInFlight--;
    }
  }

  async fail(id: string, failure: Failure): Promise<unknown> {
    this.nacks.push({ id, failure });
    const answer = deferred<unknown>();
    this.nackAnswers.push(answer);
    this.maxNackInFlight = Math.max(this.maxNackInFlight, ++this.nackInFlight);
    try {
      return await answer.promise;
    } finally {
      this.nackInFlight--;
    }
  }

  /** What `getJob` answers: the job as the server has it now. */
  job = { status: "in_flight", attempts: 0 };
  jobReads = 0;

  async getJob(_id: string): Promise<{ status: string; attempts: number }> {
    this.jobReads++;
    return this.job;
  }

  /** Bulk acks sent and not yet answered by the test. */
  get acksUnanswered(): number {
    return this.ackAnswers.length;
  }

  /** Answers the oldest unanswered bulk ack, or the `which`-th of those still out. */
  answerAck(result: { notFound: string[] } | Error = { notFound: [] }, which = 0): void {
    const [answer] = this.ackAnswers.splice(which, 1);
    if (answer === undefined) throw new Error("no bulk ack is waiting");
    if (result instanceof Error) answer.reject(result);
    else answer.resolve(result);
  }

  answerNack(result: unknown = {}): void {
    const answer = this.nackAnswers.shift();
    if (answer === undefined) throw new Error("no nack is waiting");
    if (result instanceof Error) answer.reject(result);
    else answer.resolve(result);
  }
}

/** Tracks whether a promise has settled, without awaiting it. */
function watch(promise: Promise<unknown>): { settled: boolean; error: unknown } {
  const state = { settled: false, error: undefined as unknown };
  promise.then(
    () => (state.settled = true),
    (error) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

/** Answers bulk acks until everything handed in has landed; then every id of `all` was sent exactly once. */
async function answerUntilLanded(port: GatedPort, batcher: AckBatcher, all: Promise<void>[]): Promise<void> {
  const done = batcher.flush();
  while (batcher.pending > 0) {
    await turn();
    if (port.acksUnanswered > 0) port.answerAck();
  }
  await done;
  await Promise.all(all);
  const sent = port.acks.flat();
  expect(sent).toHaveLength(all.length);
  expect(new Set(sent).size).toBe(all.length);
}

/** A sleep that waits for the test (or the batcher's abort signal), recording each delay. */
function gatedSleep() {
  const delays: number[] = [];
  const waiting: (() => void)[] = [];
  const sleep = (ms: number, signal?: AbortSignal) => {
    delays.push(ms);
    return new Promise<void>((resolve) => {
      waiting.push(resolve);
      signal?.addEventListener("abort", () => resolve(), { once: true });
    });
  };
  return {
    delays,
    sleep,
    wake() {
      for (const resolve of waiting.splice(0)) resolve();
    },
  };
}

const failure: Failure = { message: "boom", errorType: "Error" };

describe("AckBatcher with a fake port", () => {
  it("sends the first ack before any timer fires", async () => {
    const port = new GatedPort();
    const batcher = new AckBatcher(port);
    // Set before the ack, so a send put behind any timer would come after this one fires.
    const callsWhenTimerFired = new Promise<number>((resolve) => setTimeout(() => resolve(port.acks.length), 0));
    void batcher.ack("a");
    expect(await callsWhenTimerFired).toBe(1);
    expect(port.acks).toEqual([["a"]]);
  });

  it("gathers acks that arrive a few microtasks apart (handlers finishing in the same turn) into one request", async () => {
    const port = new GatedPort();
    const batcher = new AckBatcher(port);
    const callsWhenTimerFired = new Promise<number>((resolve) => setTimeout(() => resolve(port.acks.length), 0));
    void batcher.ack("a");
    // A job that takes a freed slot finishes a few promise hops later, in the same turn.
    const hops = async (n: number) => {
      for (let i = 0; i < n; i++) await Promise.resolve();
    };
    await hops(3);
    void batcher.ack("b");
    await hops(4);
    void batcher.ack("c");
    expect(await callsWhenTimerFired).toBe(1);
    expect(port.acks).toEqual([["a", "b", "c"]]);
  });

  it("keeps one bulk ack in flight; ids that arrive meanwhile ride the next one", async () => {
    const port = new GatedPort();
    const batcher = new AckBatcher(port);
    const a = watch(batcher.ack("a"));
    await turn();
    const rest = ["b", "c", "d"].map((id) => watch(batcher.ack(id)));
    await turn();
    expect(port.acks).toEqual([["a"]]);
    expect(batcher.pending).toBe(4);

    port.answerAck();
    await turn();
    expect(a.settled).toBe(true);
    expect(rest.some((state) => state.settled)).toBe(false);
    expect(port.acks).toEqual([["a"], ["b", "c", "d"]]);

    port.answerAck();
    await turn();
    expect(rest.every((state) => state.settled && state.error === undefined)).toBe(true);
    expect(batcher.pending).toBe(0);
    expect(port.maxAckInFlight).toBe(1);
  });

  it("under a steady stream of acks, never has two requests out and sends each id once", async () => {
    const port = new GatedPort();
    const batcher = new AckBatcher(port, { maxBatch: 7 });
    const all: Promise<void>[] = [];
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < round % 5; i++) all.push(batcher.ack(`job-${round}-${i}`));
      await turn();
      if (port.ackInFlight > 0) port.answerAck();
    }
    await answerUntilLanded(port, batcher, all);
    expect(port.maxAckInFlight).toBe(1);
    expect(Math.max(...port.acks.map((ids) => ids.length))).toBeLessThanOrEqual(7);
    // Batching: far fewer requests than ids.
    expect(port.acks.length).toBeLessThan(all.length);
  });

  it("caps each bulk ack at maxBatch", async () => {
    const port = new GatedPort();
    const batcher = new AckBatcher(port, { maxBatch: 3 });
    const ids = ["a", "b", "c", "d", "e", "f", "g", "h"];
    const acked = Promise.all(ids.map((id) => batcher.ack(id)));
    for (let i = 0; i < 3; i++) {
      await turn();
      port.answerAck();
    }
    await acked;
    expect(port.acks).toEqual([
      ["a", "b", "c"],
      ["d", "e", "f"],
      ["g", "h"],
    ]);
  });

  it("sends a duplicate id once, within a batch and while it is in flight", async () => {
    const port = new GatedPort();
    const batcher = new AckBatcher(port);
    const first = batcher.ack("a");
    const again = batcher.ack("a");
    void batcher.ack("b");
    expect(batcher.pending).toBe(2);
    await turn();
    const whileInFlight = batcher.ack("a");
    expect(whileInFlight).toBe(first);
    expect(again).toBe(first);
    port.answerAck();
    await Promise.all([first, again, whileInFlight]);
    await turn();
    expect(port.acks).toEqual([["a", "b"]]);
  });

  it("ackAgain sends an id in the next request even while a request carrying it is out", async () => {
    const port = new GatedPort();
    const batcher = new AckBatcher(port, { logger: { warn: () => {}, error: () => {} } });
    const first = watch(batcher.ack("a"));
    await turn();
    const again = watch(batcher.ackAgain("a"));
    await turn();
    expect(port.acks).toEqual([["a"]]);
    port.answerAck({ notFound: ["a"] }); // it reached the server before the job was handed out again
    await turn();
    expect(first).toEqual({ settled: true, error: undefined });
    expect(again.settled).toBe(false);
    expect(port.acks).toEqual([["a"], ["a"]]);
    port.answerAck();
    await turn();
    expect(again).toEqual({ settled: true, error: undefined });
    expect(port.maxAckInFlight).toBe(1);
  });

  it("drops a 422's not_found ids with a log, and resolves every promise", async () => {
    const port = new GatedPort();
    const logger = { warn: vi.fn(), debug: vi.fn(), error: vi.fn() };
    const onFlush = vi.fn();
    const batcher = new AckBatcher(port, { logger, onFlush });
    const promises = ["a", "b", "c"].map((id) => batcher.ack(id));
    await turn();
    port.answerAck({ notFound: ["b"] });
    await Promise.all(promises);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining("not in flight"), { notFound: ["b"] });
    expect(onFlush).toHaveBeenCalledOnce();
    expect(onFlush.mock.calls[0]![0]).toMatchObject({ ids: 3, notFound: ["b"] });
    expect(batcher.pending).toBe(0);
  });

  it("retries transient failures with full-jitter backoff, keeps every id, and lets new ids wait for the next send", async () => {
    const port = new GatedPort();
    const clock = gatedSleep();
    const batcher = new AckBatcher(port, { random: () => 0.5, sleep: clock.sleep, retry: { initialDelayMs: 100, maxDelayMs: 1_000 } });
    const first = ["a", "b"].map((id) => watch(batcher.ack(id)));
    const faults = [serverError(), connectionError(), timeoutError(), serverError(), serverError(), connectionError()];
    const later: ReturnType<typeof watch>[] = [];
    for (const [i, fault] of faults.entries()) {
      await turn();
      port.answerAck(fault);
      await turn();
      // Acks keep arriving while the batch waits to be retried; none is sent meanwhile.
      later.push(watch(batcher.ack(`late-${i}`)));
      await turn();
      expect(port.ackInFlight).toBe(0);
      clock.wake();
    }
    await turn();
    port.answerAck();
    await turn();
    expect(first.every((state) => state.settled && state.error === undefined)).toBe(true);
    expect(later.some((state) => state.settled)).toBe(false);
    port.answerAck();
    await batcher.flush();
    expect(later.every((state) => state.settled && state.error === undefined)).toBe(true);

    // Half of 100, 200, 400, 800, then the 1 000 ms cap.
    expect(clock.delays).toEqual([50, 100, 200, 400, 500, 500]);
    expect(port.acks).toEqual([...faults.map(() => ["a", "b"]), ["a", "b"], faults.map((_, i) => `late-${i}`)]);
    expect(port.maxAckInFlight).toBe(1);
  });

  it("rejects the ids of a batch that failed for good, logs it, and goes on with the next", async () => {
    const port = new GatedPort();
    const logger = { warn: vi.fn(), error: vi.fn() };
    const batcher = new AckBatcher(port, { logger });
    const a = batcher.ack("a");
    await turn();
    const b = batcher.ack("b");
    const error = badRequest();
    port.answerAck(error);
    await expect(a).rejects.toBe(error);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining("failed"), { error });
    await turn();
    port.answerAck();
    await b;
    expect(port.acks).toEqual([["a"], ["b"]]);
    expect(batcher.pending).toBe(0);
  });

  it("a batch's rejection is not an unhandled rejection when nobody awaits it", async () => {
    const unhandled = vi.fn();
    process.on("unhandledRejection", unhandled);
    try {
      const port = new GatedPort();
      const batcher = new AckBatcher(port, { logger: { warn() {}, error() {} } });
      void batcher.ack("a");
      void batcher.nack("b", failure);
      await turn();
      port.answerAck(badRequest());
      port.answerNack(badRequest());
      await batcher.flush();
      await turn();
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off("unhandledRejection", unhandled);
    }
  });

  it("runs at most nackConcurrency nacks at once, in order", async () => {
    const port = new GatedPort();
    const batcher = new AckBatcher(port, { nackConcurrency: 3 });
    const ids = Array.from({ length: 10 }, (_, i) => `n${i}`);
    const states = ids.map((id) => watch(batcher.nack(id, { ...failure, message: id })));
    await turn();
    expect(port.nacks.map((call) => call.id)).toEqual(["n0", "n1", "n2"]);
    expect(batcher.pending).toBe(10);
    while (port.nacks.length < 10 || port.nackInFlight > 0) {
      port.answerNack();
      await turn();
      expect(port.nackInFlight).toBeLessThanOrEqual(3);
    }
    await batcher.flush();
    expect(states.every((state) => state.settled && state.error === undefined)).toBe(true);
    expect(port.nacks.map((call) => call.id)).toEqual(ids);
    expect(port.nacks.map((call) => call.failure.message)).toEqual(ids);
    expect(port.maxNackInFlight).toBe(3);
    expect(batcher.pending).toBe(0);
  });

  it("retries a nack on a transient failure once the job shows the first attempt did not land; a retry answered 404 means it did", async () => {
    const port = new GatedPort();
    const clock = gatedSleep();
    const batcher = new AckBatcher(port, { sleep: clock.sleep, random: () => 0 });
    const nacked = batcher.nack("x", failure, { attempts: 0 });
    await turn();
    port.answerNack(timeoutError());
    await turn();
    clock.wake();
    await turn();
    expect(port.jobReads).toBe(1);
    port.answerNack(notFound());
    await expect(nacked).resolves.toBeUndefined();
    expect(port.nacks.map((call) => call.id)).toEqual(["x", "x"]);
  });

  it("does not send a retry when the job shows the first attempt landed: its next attempt must not be failed", async () => {
    const port = new GatedPort();
    const clock = gatedSleep();
    const batcher = new AckBatcher(port, { sleep: clock.sleep, random: () => 0 });
    const nacked = batcher.nack("x", failure, { attempts: 2 });
    await turn();
    port.answerNack(timeoutError());
    // Taken again by another worker meanwhile: in flight, but with one more failure on record.
    port.job = { status: "in_flight", attempts: 3 };
    await turn();
    clock.wake();
    await expect(nacked).resolves.toBeUndefined();
    expect(port.nacks).toHaveLength(1);
  });

  it("does not retry a nack given without the job's attempts", async () => {
    const port = new GatedPort();
    const batcher = new AckBatcher(port, { sleep: () => Promise.resolve() });
    const nacked = batcher.nack("x", failure);
    await turn();
    const lost = timeoutError();
    port.answerNack(lost);
    await expect(nacked).rejects.toBe(lost);
    expect(port.nacks).toHaveLength(1);
    expect(port.jobReads).toBe(0);
  });

  it("rejects a nack answered 404 on its first attempt, and one refused with a 400", async () => {
    const port = new GatedPort();
    const batcher = new AckBatcher(port);
    const gone = batcher.nack("x", failure);
    const refused = batcher.nack("y", failure);
    await turn();
    const missing = notFound();
    const bad = badRequest();
    port.answerNack(missing);
    port.answerNack(bad);
    await expect(gone).rejects.toBe(missing);
    await expect(refused).rejects.toBe(bad);
    expect(port.nacks).toHaveLength(2);
  });

  it("flush waits for the bulk ack in flight, the ids queued behind it, and the nacks", async () => {
    const port = new GatedPort();
    const batcher = new AckBatcher(port);
    void batcher.ack("a");
    await turn();
    void batcher.ack("b");
    void batcher.nack("c", failure);
    const flushed = watch(batcher.flush());
    await turn();
    expect(flushed.settled).toBe(false);
    port.answerAck();
    await turn();
    expect(flushed.settled).toBe(false);
    expect(port.acks).toEqual([["a"], ["b"]]);
    port.answerAck(badRequest());
    await turn();
    expect(flushed.settled).toBe(false);
    port.answerNack();
    await turn();
    // Resolves even though an ack failed: the failure went to that ack's own promise.
    expect(flushed).toEqual({ settled: true, error: undefined });
    await expect(new AckBatcher(port).flush()).resolves.toBeUndefined();
  });

  it("close flushes, then refuses new work", async () => {
    const port = new GatedPort();
    const batcher = new AckBatcher(port);
    const a = watch(batcher.ack("a"));
    const closed = watch(batcher.close());
    await expect(batcher.ack("b")).rejects.toBeInstanceOf(ZizqError);
    await expect(batcher.nack("c", failure)).rejects.toBeInstanceOf(ZizqError);
    await turn();
    expect(closed.settled).toBe(false);
    port.answerAck();
    await turn();
    expect(a).toEqual({ settled: true, error: undefined });
    expect(closed).toEqual({ settled: true, error: undefined });
    expect(port.acks).toEqual([["a"]]);
  });

  it("close with a signal stops retrying when it aborts, rejecting what has not landed", async () => {
    const port = new GatedPort();
    const clock = gatedSleep();
    const batcher = new AckBatcher(port, { sleep: clock.sleep, nackConcurrency: 1 });
    const a = batcher.ack("a");
    const n1 = batcher.nack("n1", failure, { attempts: 0 });
    const n2 = batcher.nack("n2", failure, { attempts: 0 });
    await turn();
    void batcher.ack("b");
    port.answerAck(serverError());
    port.answerNack(serverError());
    await turn();
    const deadline = new AbortController();
    const closed = batcher.close({ signal: deadline.signal });
    deadline.abort(new Error("deadline"));
    await closed;
    await expect(a).rejects.toBeInstanceOf(ZizqError);
    await expect(n1).rejects.toBeInstanceOf(ZizqError);
    await expect(n2).rejects.toBeInstanceOf(ZizqError);
    expect(batcher.pending).toBe(0);
    expect(port.acks).toEqual([["a"]]);
    expect(port.nacks.map((call) => call.id)).toEqual(["n1"]);
  });

  it("close with a signal does not wait for requests that never answer, and sends nothing after it aborts", async () => {
    // Neither the bulk ack nor the job read before the nack's retry answers until the test says so.
    const read = deferred<{ status: string; attempts: number }>();
    const port = new (class extends GatedPort {
      override getJob(): Promise<{ status: string; attempts: number }> {
        this.jobReads++;
        return read.promise;
      }
    })();
    const clock = gatedSleep();
    const batcher = new AckBatcher(port, { sleep: clock.sleep });
    const a = batcher.ack("a");
    const n = batcher.nack("n", failure, { attempts: 0 });
    await turn();
    port.answerNack(serverError());
    await turn();
    clock.wake();
    await turn();
    expect(port.jobReads).toBe(1);
    const deadline = new AbortController();
    const closed = watch(batcher.close({ signal: deadline.signal }));
    await turn();
    expect(closed.settled).toBe(false);
    deadline.abort(new Error("deadline"));
    await turn();
    expect(closed).toEqual({ settled: true, error: undefined });
    await expect(a).rejects.toBeInstanceOf(ZizqError);
    await expect(n).rejects.toBeInstanceOf(ZizqError);
    expect(batcher.pending).toBe(0);
    // The requests still out answer late: nothing more is sent (the read says the nack did not land).
    port.answerAck();
    read.resolve({ status: "in_flight", attempts: 0 });
    await turn();
    expect(port.acks).toEqual([["a"]]);
    expect(port.nacks.map((call) => call.id)).toEqual(["n"]);
    expect(port.maxAckInFlight).toBe(1);
  });
});

describe("AckBatcher with pipelineAt", () => {
  it("sends a batch the moment it reaches pipelineAt, a second while the first is out, and a third only after an answer", async () => {
    const port = new GatedPort();
    const batcher = new AckBatcher(port, { pipelineAt: 2 });
    const first = ["a", "b"].map((id) => watch(batcher.ack(id)));
    // No microtask has run: the full batch left from inside the second ack.
    expect(port.acks).toEqual([["a", "b"]]);
    const second = ["c", "d"].map((id) => watch(batcher.ack(id)));
    expect(port.acks).toEqual([["a", "b"], ["c", "d"]]);
    const third = ["e", "f", "g"].map((id) => watch(batcher.ack(id)));
    await turn();
    expect(port.acks).toHaveLength(2);
    expect(batcher.unlandedAcks()).toEqual(["a", "b", "c", "d", "e", "f", "g"]);

    // The second answers first: its ids settle, the first's do not, and the waiting batch leaves.
    port.answerAck(undefined, 1);
    await turn();
    expect(second.every((state) => state.settled && state.error === undefined)).toBe(true);
    expect(first.some((state) => state.settled)).toBe(false);
    expect(port.acks).toEqual([["a", "b"], ["c", "d"], ["e", "f", "g"]]);
    expect(batcher.unlandedAcks()).toEqual(["a", "b", "e", "f", "g"]);

    port.answerAck();
    port.answerAck();
    await turn();
    expect([...first, ...third].every((state) => state.settled && state.error === undefined)).toBe(true);
    expect(batcher.pending).toBe(0);
    expect(port.maxAckInFlight).toBe(2);
  });

  it("still sends a batch short of pipelineAt once acks go quiet, beside the one out", async () => {
    const port = new GatedPort();
    const batcher = new AckBatcher(port, { pipelineAt: 10 });
    void batcher.ack("a");
    expect(port.acks).toEqual([]);
    await turn();
    void batcher.ack("b");
    await turn();
    expect(port.acks).toEqual([["a"], ["b"]]);
    // Both out: the next waits for an answer.
    void batcher.ack("c");
    await turn();
    expect(port.acks).toHaveLength(2);
    port.answerAck();
    await turn();
    expect(port.acks).toEqual([["a"], ["b"], ["c"]]);
  });

  it("answers an ack of an id carried by either request out with that request's promise", async () => {
    const port = new GatedPort();
    const batcher = new AckBatcher(port, { pipelineAt: 1 });
    const a = batcher.ack("a");
    const b = batcher.ack("b");
    expect(port.acks).toEqual([["a"], ["b"]]);
    expect(batcher.ack("a")).toBe(a);
    expect(batcher.ack("b")).toBe(b);
    port.answerAck();
    port.answerAck();
    await Promise.all([a, b]);
    await turn();
    expect(port.acks).toEqual([["a"], ["b"]]);
  });

  it("flush waits for both requests out and the batch behind them, whatever order they answer in", async () => {
    const port = new GatedPort();
    const batcher = new AckBatcher(port, { pipelineAt: 1 });
    void batcher.ack("a");
    void batcher.ack("b");
    void batcher.ack("c");
    const flushed = watch(batcher.flush());
    port.answerAck(undefined, 1);
    await turn();
    expect(port.acks).toEqual([["a"], ["b"], ["c"]]);
    port.answerAck(undefined, 1);
    await turn();
    // "c" landed before "a": flush still waits for "a".
    expect(flushed.settled).toBe(false);
    port.answerAck();
    await turn();
    expect(flushed).toEqual({ settled: true, error: undefined });
  });

  it("close with a signal rejects both requests out and sends nothing after", async () => {
    const port = new GatedPort();
    const batcher = new AckBatcher(port, { pipelineAt: 1 });
    const a = batcher.ack("a");
    const b = batcher.ack("b");
    const c = batcher.ack("c");
    const deadline = new AbortController();
    const closed = batcher.close({ signal: deadline.signal });
    deadline.abort(new Error("deadline"));
    await closed;
    for (const promise of [a, b, c]) await expect(promise).rejects.toBeInstanceOf(ZizqError);
    expect(batcher.pending).toBe(0);
    port.answerAck();
    port.answerAck();
    await turn();
    expect(port.acks).toEqual([["a"], ["b"]]);
  });

  it("retries a failed first request while the second lands: the waiting batch takes the free slot, the retry resends only its own ids", async () => {
    const port = new GatedPort();
    const clock = gatedSleep();
    const batcher = new AckBatcher(port, { pipelineAt: 1, sleep: clock.sleep });
    const a = watch(batcher.ack("a"));
    const b = watch(batcher.ack("b"));
    const c = watch(batcher.ack("c"));
    port.answerAck(serverError());
    await turn();
    // "a" waits out its backoff, still holding its slot.
    expect(port.acks).toEqual([["a"], ["b"]]);
    port.answerAck();
    await turn();
    expect(b).toEqual({ settled: true, error: undefined });
    expect(port.acks).toEqual([["a"], ["b"], ["c"]]);
    expect(batcher.unlandedAcks()).toEqual(["a", "c"]);
    expect(batcher.pending).toBe(2);
    clock.wake();
    await turn();
    expect(port.acks).toEqual([["a"], ["b"], ["c"], ["a"]]);
    port.answerAck();
    port.answerAck();
    await turn();
    expect([a, c].every((state) => state.settled && state.error === undefined)).toBe(true);
    expect(batcher.pending).toBe(0);
    expect(port.maxAckInFlight).toBe(2);
  });

  it("settles each request out by its own answer: a refusal rejects only its ids, a partial 'not found' drops only those", async () => {
    const warnings: string[] = [];
    const port = new GatedPort();
    const batcher = new AckBatcher(port, { pipelineAt: 2, logger: { warn: (message) => warnings.push(message), error: () => {} } });
    const first = ["a", "b"].map((id) => watch(batcher.ack(id)));
    const second = ["c", "d"].map((id) => watch(batcher.ack(id)));
    port.answerAck(badRequest(), 1);
    await turn();
    expect(second.every((state) => state.error instanceof ZizqBadRequestError)).toBe(true);
    expect(first.some((state) => state.settled)).toBe(false);
    port.answerAck({ notFound: ["b"] });
    await turn();
    expect(first.every((state) => state.settled && state.error === undefined)).toBe(true);
    expect(warnings).toEqual(["bulk ack of 2 jobs failed", "1 acked jobs were not in flight; dropped"]);
    expect(batcher.pending).toBe(0);
  });

  it("sends ackAgain of an id a request out carries beside it, and holds a third while two are out", async () => {
    const port = new GatedPort();
    const batcher = new AckBatcher(port, { pipelineAt: 1, logger: { warn: () => {}, error: () => {} } });
    const first = batcher.ack("a");
    const again = batcher.ackAgain("a");
    expect(again).not.toBe(first);
    expect(port.acks).toEqual([["a"], ["a"]]);
    const third = watch(batcher.ackAgain("a"));
    await turn();
    expect(port.acks).toHaveLength(2);
    port.answerAck();
    await turn();
    expect(port.acks).toEqual([["a"], ["a"], ["a"]]);
    port.answerAck({ notFound: ["a"] });
    port.answerAck({ notFound: ["a"] });
    await Promise.all([first, again]);
    await turn();
    expect(third).toEqual({ settled: true, error: undefined });
  });

  it("sends a batch at maxBatch when pipelineAt is larger: it can never hold more", () => {
    const port = new GatedPort();
    const batcher = new AckBatcher(port, { maxBatch: 2, pipelineAt: 10 });
    void batcher.ack("a");
    void batcher.ack("b");
    expect(port.acks).toEqual([["a", "b"]]);
  });

  it("sends every id exactly once however acks, early sends, quiet rounds and answers interleave", async () => {
    const port = new GatedPort();
    const batcher = new AckBatcher(port, { pipelineAt: 3, maxBatch: 5 });
    // A fixed pseudo-random walk, so a failure replays the same way.
    let seed = 7;
    const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
    const all: Promise<void>[] = [];
    for (let step = 0; step < 300; step++) {
      const roll = random();
      if (roll < 0.5) all.push(batcher.ack(`job-${all.length}`));
      else if (roll < 0.7) await Promise.resolve();
      else if (roll < 0.85) await turn();
      else if (port.acksUnanswered > 0) port.answerAck(undefined, Math.floor(random() * port.acksUnanswered));
    }
    await answerUntilLanded(port, batcher, all);
    expect(port.maxAckInFlight).toBe(2);
    expect(Math.max(...port.acks.map((ids) => ids.length))).toBeLessThanOrEqual(5);
    expect(batcher.unlandedAcks()).toEqual([]);
  });

  it.each([0, 1.5, -1, "2", true])("refuses pipelineAt %o, naming it", (bad) => {
    const attempt = () => new AckBatcher(new GatedPort(), { pipelineAt: bad as number });
    expect(attempt).toThrow(ZizqArgumentError);
    expect(attempt).toThrow(expect.objectContaining({ field: "pipelineAt" }));
  });
});

describe("AckBatcher with the in-memory test server", () => {
  /** A server and a client whose bulk acks and nacks can be made to fail. */
  function setup(options: { ackFaults?: number; nackLostAnswers?: number } = {}) {
    const server = createTestServer();
    let ackFaults = options.ackFaults ?? 0;
    let nackLostAnswers = options.nackLostAnswers ?? 0;
    const calls = { bulkAcks: 0, nacks: 0 };
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      const path = new URL(request.url).pathname;
      if (request.method === "POST" && path === "/jobs/success") {
        calls.bulkAcks++;
        if (ackFaults > 0) {
          ackFaults--;
          if (ackFaults % 2 === 0) throw new TypeError("fetch failed");
          return Response.json({ error: "injected" }, { status: 503 });
        }
      }
      if (request.method === "POST" && path.endsWith("/failure")) {
        calls.nacks++;
        const response = await server.fetch(request);
        // The nack landed but its answer is lost on the way back.
        if (nackLostAnswers > 0) {
          nackLostAnswers--;
          return Response.json({ error: "injected" }, { status: 502 });
        }
        return response;
      }
      return server.fetch(request);
    };
    // The batcher does the retrying here, so the transport's own is off.
    const client = new Client({ url: "http://zizq.test", fetch, retry: false });
    return { server, client, calls };
  }

  async function enqueue(client: Client, n: number): Promise<void> {
    for (let i = 0; i < n; i++) await client.enqueueRaw({ type: "noop", queue: "default", payload: { i } });
  }

  /**
   * Reads `n` jobs from a take stream, handing each to `each` as it arrives. The caller cancels
   * the reader once acks landed: closing the stream earlier hands the held jobs back.
   */
  async function takeJobs(client: Client, prefetch: number, n: number, each: (job: Job) => void) {
    const stream = await client.take({ prefetch });
    const reader = stream.getReader();
    const jobs: Job[] = [];
    while (jobs.length < n) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the take stream ended");
      jobs.push(value);
      each(value);
    }
    return { jobs, reader };
  }

  it("frees the prefetch window through acks alone, in far fewer requests than jobs", async () => {
    const { server, client, calls } = setup();
    await enqueue(client, 200);
    const batcher = new AckBatcher(client);
    const acks: Promise<void>[] = [];
    // With prefetch 16 the stream can only go on once acks land, so reading all 200 proves they do.
    const { jobs, reader } = await takeJobs(client, 16, 200, (job) => acks.push(batcher.ack(job.id)));
    await Promise.all(acks);
    await batcher.flush();
    await reader.cancel();
    expect(new Set(jobs.map((job) => job.id)).size).toBe(200);
    expect(calls.bulkAcks).toBeLessThan(200);
    expect(await client.jobs({ status: ["ready", "in_flight", "scheduled"] }).count()).toBe(0);
    server.close();
  });

  it("drops ids the server does not hold (422) and acks the rest", async () => {
    const { server, client } = setup();
    await enqueue(client, 3);
    const onFlush = vi.fn();
    const batcher = new AckBatcher(client, { onFlush, logger: { warn() {}, error() {} } });
    const stream = await client.take({ prefetch: 3 });
    const reader = stream.getReader();
    const held: string[] = [];
    for (let i = 0; i < 3; i++) held.push((await reader.read()).value!.id);
    await Promise.all([...held, "no-such-job"].map((id) => batcher.ack(id)));
    expect(onFlush).toHaveBeenCalledOnce();
    expect(onFlush.mock.calls[0]![0]).toMatchObject({ ids: 4, notFound: ["no-such-job"] });
    expect(server.connections()[0]!.held).toEqual([]);
    await reader.cancel();
    expect(await client.jobs({ status: ["ready", "in_flight"] }).count()).toBe(0);
    server.close();
  });

  it("recovers from bulk acks failing for a while: every job is acked, none lost", async () => {
    const { server, client, calls } = setup({ ackFaults: 7 });
    await enqueue(client, 50);
    const batcher = new AckBatcher(client, { sleep: () => Promise.resolve() });
    const acks: Promise<void>[] = [];
    const { reader } = await takeJobs(client, 10, 50, (job) => acks.push(batcher.ack(job.id)));
    await Promise.all(acks);
    await reader.cancel();
    expect(calls.bulkAcks).toBeGreaterThan(7);
    expect(await client.jobs({ status: ["ready", "in_flight", "scheduled", "dead"] }).count()).toBe(0);
    server.close();
  });

  it("nacks through the pool; after a lost answer the job shows the nack landed, and no retry is sent", async () => {
    const { server, client, calls } = setup({ nackLostAnswers: 1 });
    await enqueue(client, 4);
    const batcher = new AckBatcher(client, { sleep: () => Promise.resolve(), nackConcurrency: 2 });
    const stream = await client.take({ prefetch: 4 });
    const reader = stream.getReader();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await reader.read()).value!.id);
    await Promise.all(ids.map((id) => batcher.nack(id, { message: "boom", errorType: "Error" }, { attempts: 0 })));
    expect(calls.nacks).toBe(4);
    expect(server.connections()[0]!.held).toEqual([]);
    await reader.cancel();
    const failed = await client.jobs({ id: ids }).toArray();
    expect(failed.map((job) => job.attempts)).toEqual([1, 1, 1, 1]);
    expect(failed.every((job) => job.status === "scheduled" || job.status === "ready")).toBe(true);
    server.close();
  });
});
