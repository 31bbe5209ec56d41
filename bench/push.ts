/**
 * `npm run bench -- push`: jobs/s through the push relay end to end on loopback — the test Zizq
 * server on a port, the relay (take stream, signed POST per job, bulk acks), and a `zizqPush`
 * Hono endpoint on another port with a no-op handler — at concurrency 1 and 32. "relay acks"
 * means the endpoint answers `settled: false` and the relay reports; "endpoint acks" gives the
 * endpoint its own Client.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { zizqPush } from "../adapters/hono.ts";
import { serve } from "../adapters/node.ts";
import { Client } from "../src/client/client.ts";
import { defineJob } from "../src/job/define-job.ts";
import { generateSecret, signDelivery } from "../src/push/signature.ts";
import { createRelay } from "../src/relay/relay.ts";
import { createTestServer } from "../src/testing/index.ts";
import { Router } from "../src/processing/router.ts";

const Bench = defineJob({ type: "bench", queue: "push-bench", schema: v.object({ n: v.number(), to: v.string() }) });
const quiet = { warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) };

async function once(concurrency: number, total: number, endpointAcks: boolean): Promise<number> {
  const zizq = createTestServer();
  const zizqHandle = await serve(zizq);
  const client = new Client({ url: zizqHandle.url });
  const secret = generateSecret();
  const app = new Hono();
  const router = new Router().route(Bench, () => {});
  app.post("/push", zizqPush({ secrets: secret, router, client: endpointAcks ? client : undefined, logger: quiet }));
  const endpoint = await serve(app);
  try {
    for (let sent = 0; sent < total; sent += 1_000) {
      const n = Math.min(1_000, total - sent);
      await client.enqueueBulk(Array.from({ length: n }, (_, i) => Bench.with({ n: sent + i, to: "someone@example.com" })));
    }
    let done = 0;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const count = () => {
      if (++done === total) finish();
    };
    const relay = createRelay({
      client,
      endpoint: `${endpoint.url}/push`,
      secret,
      concurrency,
      queues: [Bench.queue],
      logger: quiet,
      hooks: { onJobSuccess: count },
    });
    // With the endpoint acking, the relay sees "settled" outcomes: count them from the stats.
    const poll = endpointAcks
      ? setInterval(() => {
          const stats = relay.stats();
          if (stats.completed >= total) finish();
        }, 5)
      : undefined;
    const started = performance.now();
    const running = relay.run();
    await finished;
    await relay.stop();
    await running;
    const ms = performance.now() - started;
    clearInterval(poll);
    const left = await client.jobs({ queue: Bench.queue, status: ["ready", "in_flight"] }).count();
    if (left !== 0 && !endpointAcks) throw new Error(`${left} jobs not acked`);
    return (total / ms) * 1000;
  } finally {
    await endpoint.close();
    await zizqHandle.close();
    zizq.close();
  }
}

/** The ceiling: bare signed POSTs from `fetch` to a Hono app on `serve` that reads the body and answers JSON, no queue. */
async function bare(concurrency: number, total: number): Promise<number> {
  const app = new Hono();
  app.post("/push", async (c) => {
    await c.req.text();
    return c.json({ id: "x", outcome: "completed", settled: false });
  });
  const endpoint = await serve(app);
  const secret = generateSecret();
  const body = JSON.stringify({ id: "0".repeat(26), type: "bench", queue: "push-bench", priority: 32768, status: "in_flight", payload: { n: 1, to: "someone@example.com" }, ready_at: Date.now(), attempts: 0 });
  try {
    let left = total;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left-- > 0) {
          const headers = await signDelivery(secret, body);
          const response = await fetch(`${endpoint.url}/push`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
          await response.text();
        }
      }),
    );
    return (total / (performance.now() - started)) * 1000;
  } finally {
    await endpoint.close();
  }
}

export async function run(): Promise<void> {
  const rows: [string, number, number][] = [];
  for (const [concurrency, total] of [
    [1, 1_000],
    [32, 10_000],
  ] as const) {
    await bare(concurrency, 500);
    rows.push([`bare signed POST loop (no queue), concurrency ${concurrency}`, total, await bare(concurrency, total)]);
  }
  for (const [concurrency, total] of [
    [1, 1_000],
    [32, 10_000],
  ] as const) {
    for (const endpointAcks of [false, true]) {
      await once(concurrency, Math.min(total, 500), endpointAcks); // warm-up
      const rate = await once(concurrency, total, endpointAcks);
      rows.push([`concurrency ${concurrency}, ${endpointAcks ? "endpoint acks" : "relay acks"}`, total, rate]);
    }
  }
  for (const [label, total, rate] of rows) {
    console.log(`${label.startsWith("bare") ? "" : "push relay -> endpoint, "}${label}: ${Math.round(rate).toLocaleString("en")} jobs/s (${total} jobs, loopback, HTTP/1.1 keep-alive)`);
  }
}
