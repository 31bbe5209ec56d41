/**
 * A Worker in Deno against the test server on a real loopback port (served by adapters/deno.ts):
 * 250 typed jobs enqueued, streamed over HTTP and acked by 16 handlers; a graceful stop leaves
 * nothing in flight.
 */
import assert from "node:assert/strict";
import * as v from "valibot";
import { serve } from "../../adapters/deno.ts";
import { Client, defineJob, Router, Worker } from "../../src/index.ts";
import { createTestServer } from "../../src/testing/index.ts";
import { eventually, within } from "../support/wait.ts";

const Resize = defineJob({
  type: "resize",
  queue: "images",
  schema: v.object({ id: v.number(), width: v.pipe(v.number(), v.integer(), v.minValue(1)) }),
});
const Notify = defineJob({ type: "notify", queue: "mail", schema: v.object({ id: v.number(), to: v.string() }) });

const JOBS = 250;

for (const format of ["json", "msgpack"] as const) {
  Deno.test(`Worker in Deno over loopback (${format}): ${JOBS} typed jobs acked, graceful stop, nothing in flight`, async () => {
    const server = createTestServer({ heartbeatMs: 200, defaultRetention: { completedMs: 3_600_000 } });
    const handle = await serve(server);
    try {
      const client = new Client({ url: handle.url, format });
      const requests = Array.from({ length: JOBS }, (_, id) =>
        id % 2 === 0 ? Resize.with({ id, width: 100 + id }) : Notify.with({ id, to: `user${id}@example.com` }));
      const enqueued = await client.enqueueBulk(requests);
      assert.equal(enqueued.length, JOBS);

      const seen = new Set<number>();
      let running = 0;
      let peak = 0;
      const work = async (id: number) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        seen.add(id);
        running--;
      };
      const router = new Router()
        .route(Resize, ({ id, width }) => {
          assert.equal(width, 100 + id);
          return work(id);
        })
        .route(Notify, ({ id, to }) => {
          assert.equal(to, `user${id}@example.com`);
          return work(id);
        });
      const worker = new Worker({ client, router, concurrency: 16, logger: { warn: console.warn, error: console.error } });
      const stop = new AbortController();
      const run = worker.run(stop.signal);
      await eventually(() => seen.size === JOBS, `${JOBS} jobs to run`);
      stop.abort();
      await within(run, "the worker to stop");

      const stats = worker.stats();
      assert.equal(stats.state, "idle");
      assert.equal(stats.completed, JOBS);
      assert.equal(stats.failed, 0);
      assert.equal(stats.acksPending, 0);
      assert.ok(stats.ackRequests < JOBS, `acks were batched (${stats.ackRequests} requests)`);
      assert.ok(peak > 1 && peak <= 16, `handlers ran concurrently, at most 16 (peak ${peak})`);
      assert.equal(await client.jobs({ status: "in_flight" }).count(), 0, "nothing in flight");
      assert.equal(await client.jobs({ status: ["ready", "scheduled", "dead"] }).count(), 0, "nothing left over");
      assert.equal(await client.jobs({ status: "completed" }).count(), JOBS, "every job completed");
      assert.deepEqual(server.connections(), [], "the take stream closed");
    } finally {
      server.close();
      await handle.close();
    }
  });
}
