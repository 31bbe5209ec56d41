/**
 * runUntilSignalled, the signal handling every runtime adapter shares, with signals delivered by
 * hand (the adapters' own tests send real ones to child processes).
 */
import { describe, expect, it } from "vitest";
import { Client, defineJob, Router, runUntilSignalled, type SignalSource, Worker } from "../../../src/index.ts";
import { createTestServer } from "../../../src/testing/index.ts";
import { eventually } from "../../support/wait.ts";

const Slow = defineJob<{ n: number }>({ type: "slow", queue: "q" });
const silent = { warn: () => {}, error: () => {}, info: () => {} };

/** A signal source the test fires by hand; it records who listens. */
function manualSignals() {
  const listeners = new Map<string, Set<() => void>>();
  const source: SignalSource = {
    on: (signal, listener) => void (listeners.get(signal) ?? listeners.set(signal, new Set()).get(signal))?.add(listener),
    off: (signal, listener) => void listeners.get(signal)?.delete(listener),
  };
  const fire = (signal: string) => {
    for (const listener of listeners.get(signal) ?? []) listener();
  };
  const listening = () => [...listeners].filter(([, set]) => set.size > 0).map(([signal]) => signal);
  return { source, fire, listening };
}

async function setup(handler: (signal: AbortSignal) => Promise<void>) {
  const server = createTestServer();
  const client = new Client({ url: "http://zizq.test", fetch: server.fetch });
  await client.enqueueBulk(Array.from({ length: 6 }, (_, n) => Slow.with({ n })));
  let started = 0;
  const router = new Router().route(Slow, async (_payload, ctx) => {
    started++;
    await handler(ctx.signal);
  });
  const worker = new Worker({ client, router, concurrency: 2, logger: silent });
  return { server, client, worker, started: () => started };
}

describe("runUntilSignalled", () => {
  it("stops gracefully on the first signal and answers 0, with the listeners removed", async () => {
    const { client, worker, started } = await setup(() => new Promise((resolve) => setTimeout(resolve, 50)));
    const signals = manualSignals();
    const code = runUntilSignalled(worker, signals.source, { logger: silent });
    expect(signals.listening()).toEqual(["SIGINT", "SIGTERM"]);
    await eventually(() => started() === 2, "two handlers to start");
    signals.fire("SIGTERM");
    expect(await code).toBe(0);
    expect(signals.listening()).toEqual([]);
    expect(await client.jobs({ status: "in_flight" }).count()).toBe(0);
    expect(await client.jobs({ status: "ready" }).count()).toBe(4);
  });

  it("stops at once on a second signal and answers 1: running jobs are failed", async () => {
    const { client, worker, started } = await setup((signal) => new Promise((resolve) => signal.addEventListener("abort", () => resolve())));
    const signals = manualSignals();
    const code = runUntilSignalled(worker, signals.source, { logger: silent, signals: ["SIGUSR2"] });
    await eventually(() => started() === 2, "two handlers to start");
    signals.fire("SIGUSR2");
    signals.fire("SIGUSR2");
    expect(await code).toBe(1);
    const failed = await client.jobs({ status: ["scheduled", "ready"] }).toArray();
    expect(failed.filter((job) => job.attempts === 1)).toHaveLength(2);
  });

  it("gives running handlers the shutdownTimeout it was given", async () => {
    const { worker, started } = await setup((signal) => new Promise((resolve) => signal.addEventListener("abort", () => resolve())));
    const signals = manualSignals();
    const code = runUntilSignalled(worker, signals.source, { logger: silent, shutdownTimeout: 20 });
    await eventually(() => started() === 2, "two handlers to start");
    signals.fire("SIGINT");
    expect(await code).toBe(0);
    expect(worker.stats().failed).toBe(2);
  });
});
