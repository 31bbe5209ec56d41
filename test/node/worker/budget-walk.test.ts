/**
 * Workers need nothing special for budgeted jobs (Zizq 0.7): the server parks a job until every
 * budget it names can pay, and a worker only ever sees jobs that may run. Two walks show it
 * against the in-memory server: a `while_in_flight` cap shared by two workers, and a
 * `time_based` rate paced on the server's injected clock, so the walk takes no real seconds.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Client, defineJob, type Logger, Router, Worker } from "../../../src/index.ts";
import { createTestServer } from "../../../src/testing/index.ts";
import type { TestServer } from "../../../src/testing/types.ts";
import { eventually, sleep, WAIT_MS } from "../../support/wait.ts";

const CallApi = defineJob<{ n: number }>({ type: "call_api", queue: "api", budgets: [{ key: "api" }] });
const JOBS = 20;

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let server: TestServer | undefined;
const stops: AbortController[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) stop.abort();
  server?.close();
});

function start(client: Client, router: Router, concurrency: number): Promise<void> {
  const stop = new AbortController();
  stops.push(stop);
  return new Worker({ client, router, concurrency, queues: ["api"], logger: silent }).run(stop.signal);
}

describe("workers and budgets", () => {
  it("a while_in_flight budget of 2 keeps at most 2 of 20 jobs running across two workers of 5 slots each", async () => {
    server = createTestServer({ license: "pro", version: "0.7.0" });
    const client = new Client({ url: "http://zizq.test", fetch: server.fetch });
    await client.budgets.define({ key: "api", allocation: 2, strategy: { type: "while_in_flight" } });
    await client.enqueueBulk(Array.from({ length: JOBS }, (_, n) => CallApi.with({ n })));

    let running = 0;
    let peak = 0;
    const done = new Set<number>();
    const router = new Router().route(CallApi, async (payload) => {
      peak = Math.max(peak, ++running);
      // Hold the slot for a timer tick, so that jobs would overlap if the server let them.
      await sleep(2);
      running--;
      done.add(payload.n);
    });
    const workers = [start(client, router, 5), start(client, router, 5)];
    await eventually(async () => done.size === JOBS, () => `${JOBS} jobs done (${done.size} so far)`, WAIT_MS);
    for (const stop of stops) stop.abort();
    await Promise.all(workers);

    expect(peak).toBe(2);
    expect(await client.jobs().count()).toBe(0);
  });

  // Allocation 5 per 1000 ms drips one token every 200 ms. The bucket starts full, so without a
  // burst 5 go at once and the 20th at 3 s; with `burst: 1` one goes at once and the 20th at 3.8 s.
  it.each([
    { burst: undefined, atOnce: 5 },
    { burst: 1, atOnce: 1 },
  ])("a time_based budget of 5 per second (burst $burst) paces 20 jobs one per 200 ms on the injected clock", async ({ burst, atOnce }) => {
    let now = 1_000_000;
    server = createTestServer({ license: "pro", version: "0.7.0", now: () => now });
    const client = new Client({ url: "http://zizq.test", fetch: server.fetch, now: () => now });
    const strategy = burst === undefined ? { type: "time_based" as const, durationMs: 1000 } : { type: "time_based" as const, durationMs: 1000, burst };
    await client.budgets.define({ key: "api", allocation: 5, strategy });
    await client.enqueueBulk(Array.from({ length: JOBS }, (_, n) => CallApi.with({ n })));

    const startedAt = new Map<number, number>();
    const router = new Router().route(CallApi, async (payload) => {
      startedAt.set(payload.n, now);
    });
    const worker = start(client, router, 20);

    // Parked jobs stay `ready`; the server's count of them says how many it has let go.
    const released = async () => JOBS - (await client.jobs({ status: "ready" }).count());
    for (let step = 0; ; step++) {
      const expected = Math.min(JOBS, atOnce + step);
      // The worker has run every job let go before the clock moves on, so each ran at its time.
      await eventually(async () => startedAt.size >= expected, () => `${expected} jobs run at +${step * 200} ms`, WAIT_MS);
      expect(await released()).toBe(expected);
      expect(startedAt.size).toBe(expected);
      if (expected === JOBS) break;
      now += 200;
      server.tick();
    }
    for (const stop of stops) stop.abort();
    await worker;

    // In the clock's terms: atOnce jobs at the start, then one per 200 ms, none early.
    const times = [...startedAt.values()].sort((a, b) => a - b).map((t) => t - 1_000_000);
    const expectedTimes = Array.from({ length: JOBS }, (_, i) => Math.max(0, i - atOnce + 1) * 200);
    expect(times).toEqual(expectedTimes);
    expect(times.at(-1)).toBe(burst === undefined ? 3000 : 3800);
  });
});
