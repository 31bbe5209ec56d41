/**
 * The Worker in Bun over a real loopback socket: the in-memory test server served with
 * adapters/bun.ts `serve`, a Client on its URL with Bun's global fetch, typed jobs enqueued,
 * streamed from `GET /jobs/take`, processed 16 at a time and acked in bulk; then graceful stops.
 */
import { afterEach, expect, test } from "bun:test";
import { serve } from "../../adapters/bun.ts";
import { Client, Router, Worker } from "../../src/index.ts";
import { createTestServer } from "../../src/testing/index.ts";
import type { TestServer } from "../../src/testing/types.ts";
import { Nap, Tick } from "./fixtures/jobs.ts";
import { eventually, sleep, within } from "../support/wait.ts";

const quiet = { warn: () => {}, error: console.error };

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function setUp(): Promise<{ server: TestServer; client: Client }> {
  const server = createTestServer({ heartbeatMs: 200 });
  const handle = await serve(server);
  cleanup.push(() => server.close(), () => handle.close());
  expect(handle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  return { server, client: new Client({ url: handle.url }) };
}

test("240 typed jobs: enqueued, streamed and processed over loopback with bulk acks; the stop leaves nothing in flight", async () => {
  const { server, client } = await setUp();
  const TOTAL = 240;
  // Two bulk enqueues and a few single ones, all through the socket.
  await client.enqueueBulk(Array.from({ length: 120 }, (_, n) => Tick.with({ n, label: `bulk-a-${n}` })));
  await client.enqueueBulk(Array.from({ length: 115 }, (_, n) => Tick.with({ n: 120 + n, label: `bulk-b-${n}` })));
  for (let n = 235; n < TOTAL; n++) await client.enqueue(Tick, { n, label: `single-${n}` });
  expect(await client.jobs({ status: "ready" }).count()).toBe(TOTAL);

  const seen: number[] = [];
  let running = 0;
  let peak = 0;
  const router = new Router().route(Tick, async ({ n, label }, ctx) => {
    expect(typeof label).toBe("string"); // typed and validated payload
    running++;
    peak = Math.max(peak, running);
    await sleep(n % 3); // a little real async work
    running--;
    seen.push(n);
    expect(ctx.attempt).toBe(1);
  });
  const stop = new AbortController();
  const worker = new Worker({
    client,
    router,
    concurrency: 16,
    logger: quiet,
    hooks: { onJobSuccess: () => worker.stats().completed + 1 >= TOTAL && stop.abort() },
  });
  const started = performance.now();
  await within(worker.run(stop.signal), "the worker to finish", 20_000);
  const ms = performance.now() - started;

  expect(seen.length).toBe(TOTAL);
  expect(new Set(seen).size).toBe(TOTAL); // each job once
  expect(peak).toBeGreaterThan(1);
  expect(peak).toBeLessThanOrEqual(16);
  const stats = worker.stats();
  expect(stats).toMatchObject({ state: "idle", connected: false, running: 0, buffered: 0, acksPending: 0, completed: TOTAL, failed: 0 });
  expect(stats.taken).toBe(TOTAL);
  expect(stats.ackRequests).toBeGreaterThan(0);
  expect(stats.ackRequests).toBeLessThan(TOTAL); // acks went in bulk
  console.log(`  240 jobs over loopback in ${ms.toFixed(0)} ms, ${stats.ackRequests} ack requests, peak concurrency ${peak}`);

  // On the server: every job acked (completed, kept by the type's retention), nothing held.
  await eventually(() => server.connections().length === 0, "the take stream to close");
  expect(await client.jobs({ status: "completed" }).count()).toBe(TOTAL);
  expect(await client.jobs({ status: ["ready", "in_flight", "scheduled", "dead"] }).count()).toBe(0);
}, 30_000);

test("a graceful stop mid-run over loopback: running jobs finish and are acked, the prefetched rest go back to ready", async () => {
  const { server, client } = await setUp();
  await client.enqueueBulk(Array.from({ length: 200 }, (_, n) => Nap.with({ n, ms: 20 })));
  const router = new Router().route(Nap, ({ ms }) => sleep(ms));
  const stop = new AbortController();
  const worker = new Worker({
    client,
    router,
    concurrency: 16,
    logger: quiet,
    hooks: { onJobSuccess: () => worker.stats().completed >= 40 && stop.abort() },
  });
  await worker.run(stop.signal);

  const stats = worker.stats();
  expect(stats).toMatchObject({ running: 0, buffered: 0, acksPending: 0, failed: 0 });
  expect(stats.taken).toBeGreaterThan(stats.completed); // some were prefetched and never started
  await eventually(() => server.connections().length === 0, "the take stream to close");
  expect(await client.jobs({ status: "in_flight" }).count()).toBe(0);
  expect(await client.jobs({ status: "completed" }).count()).toBe(stats.completed);
  const ready = await client.jobs({ status: "ready" }).pageSize(2000).toArray();
  expect(ready.length).toBe(200 - stats.completed);
  expect(ready.every((job) => job.attempts === 0)).toBe(true);
}, 30_000);
