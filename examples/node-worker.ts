/**
 * `npm run example:node`: a long-lived worker on Node with `zizq-edge/node`. Two typed job kinds,
 * a Router, a Worker with 8 handlers at once, run by `runWorker`: Ctrl-C (or SIGTERM) lets running
 * jobs finish and be acked, a second Ctrl-C stops at once.
 *
 * Zizq is the embedded test server on a loopback port, or ZIZQ_URL. For a Zizq behind mutual TLS,
 * set ZIZQ_CA, ZIZQ_CERT and ZIZQ_KEY to PEM files, which `nodeFetch` (the client's fetch) presents.
 */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import * as v from "valibot";
import { Client, defineJob, NonRetryableError, Router, Worker } from "zizq-edge";
import { nodeFetch, runWorker, serve } from "zizq-edge/node";
import { createTestServer } from "zizq-edge/testing";

const ResizeImage = defineJob({
  type: "resize_image",
  queue: "images",
  schema: v.object({ path: v.string(), width: v.pipe(v.number(), v.integer(), v.minValue(1)) }),
});

const SendReceipt = defineJob({
  type: "send_receipt",
  queue: "billing",
  schema: v.object({ orderId: v.string(), amountCents: v.pipe(v.number(), v.integer()) }),
  retryLimit: 3,
});

// Where Zizq is: ZIZQ_URL, or the in-memory test server on a free loopback port.
const embedded = process.env.ZIZQ_URL ? undefined : await serve(createTestServer());
const url = process.env.ZIZQ_URL ?? embedded?.url ?? "";

// Mutual TLS: trust the server's CA and present a client certificate (each optional).
const pem = (name: string) => (process.env[name] ? readFileSync(process.env[name] as string, "utf8") : undefined);
const tls = { ca: pem("ZIZQ_CA"), cert: pem("ZIZQ_CERT"), key: pem("ZIZQ_KEY") };
const mutualTls = Boolean(tls.ca || tls.cert);
// nodeFetch: undici's request, faster on Node than the global fetch, with the TLS options.
const fetch = nodeFetch(tls);
const client = new Client({ url, fetch });

await client.enqueueBulk([
  ...[320, 640, 1280, 1920].map((width) => ResizeImage.with({ path: "photos/cat.jpg", width })),
  SendReceipt.with({ orderId: "A-1001", amountCents: 4_999 }),
  SendReceipt.with({ orderId: "A-1002", amountCents: 1_250 }),
  SendReceipt.with({ orderId: "A-1003", amountCents: 0 }),
]);
console.log(`enqueued 7 jobs on ${url}${embedded ? " (embedded test server)" : ""}${mutualTls ? " over mutual TLS" : ""}`);

const router = new Router()
  .route(ResizeImage, async ({ path, width }, ctx) => {
    // Pass ctx.signal on, so a forced stop or a job timeout cancels the work.
    await sleep(150, undefined, { signal: ctx.signal });
    console.log(`resized ${path} to ${width}px`);
  })
  .route(SendReceipt, async ({ orderId, amountCents }, ctx) => {
    if (amountCents <= 0) throw new NonRetryableError(`order ${orderId} has nothing to bill`);
    await sleep(100, undefined, { signal: ctx.signal });
    console.log(`sent the receipt for order ${orderId} (${(amountCents / 100).toFixed(2)})`);
  });

const worker = new Worker({
  client,
  router,
  concurrency: 8,
  queues: ["images", "billing"],
  jobTimeout: "30s",
  hooks: { onJobFailure: (job, { failure }) => console.log(`job ${job.type} ${job.id} failed: ${failure.message}`) },
});

console.log("worker running; Ctrl-C to stop");
const code = await runWorker(worker); // also sets process.exitCode
const { completed, failed } = worker.stats();
console.log(`stopped (exit code ${code}): ${completed} completed, ${failed} failed`);
await fetch.close();
await embedded?.close();
