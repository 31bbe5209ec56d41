/**
 * `npm run example:bun`: a long-lived worker on Bun. Typed jobs, a Router, 8 handlers at once,
 * stopped by Ctrl-C (SIGINT) or SIGTERM through `runWorker` from zizq-edge/bun: running jobs
 * finish and are acked before the stream closes; a second Ctrl-C stops at once.
 *
 * Without ZIZQ_URL it serves the embedded test server on a loopback port (with `Bun.serve`) and
 * seeds it with jobs. With ZIZQ_URL it works for that server; set ZIZQ_CA, ZIZQ_CERT and ZIZQ_KEY
 * (paths to PEM files) for an `https://` server that wants mutual TLS.
 */
import { readFile } from "node:fs/promises";
import * as v from "valibot";
import { Client, defineJob, NonRetryableError, Router, Worker } from "zizq-edge";
import { bunFetch, runWorker, serve } from "zizq-edge/bun";
import { createTestServer } from "zizq-edge/testing";

const SendEmail = defineJob({
  type: "send_email",
  queue: "emails",
  schema: v.object({ to: v.pipe(v.string(), v.email()), subject: v.string() }),
  retryLimit: 5,
});

const ResizeImage = defineJob({
  type: "resize_image",
  queue: "images",
  schema: v.object({ url: v.pipe(v.string(), v.url()), width: v.pipe(v.number(), v.integer(), v.minValue(1)) }),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const env = process.env;
const pem = (path: string | undefined) => (path ? readFile(path, "utf8") : undefined);
const [ca, cert, key] = await Promise.all([pem(env.ZIZQ_CA), pem(env.ZIZQ_CERT), pem(env.ZIZQ_KEY)]);
// Mutual TLS (or a private CA) only when asked for; otherwise Bun's global fetch.
const fetch = ca || cert || key ? bunFetch({ ca, cert, key }) : undefined;

const embedded = env.ZIZQ_URL ? undefined : createTestServer();
const handle = embedded ? await serve(embedded) : undefined;
const client = new Client({ url: env.ZIZQ_URL ?? handle!.url, fetch });

if (embedded) {
  await client.enqueueBulk([
    ...Array.from({ length: 12 }, (_, i) => SendEmail.with({ to: `user${i}@example.com`, subject: "Welcome" })),
    ...Array.from({ length: 4 }, (_, i) => ResizeImage.with({ url: `https://example.com/${i}.png`, width: 320 })),
  ]);
  await client.enqueueRaw({ type: "send_email", queue: "emails", payload: { to: "not an address", subject: "Hi" } });
  console.log(`Embedded Zizq test server on ${handle!.url}, with 17 jobs waiting`);
}

const router = new Router()
  .route(SendEmail, async ({ to, subject }, ctx) => {
    // A real handler calls a mail API with ctx.signal, so a stop or a job timeout cancels it.
    await sleep(50);
    ctx.log.info(`sent "${subject}" to ${to} (attempt ${ctx.attempt})`);
  })
  .route(ResizeImage, async ({ url, width }, ctx) => {
    if (width > 10_000) throw new NonRetryableError("too wide"); // straight to dead, no retries
    await sleep(80);
    ctx.log.info(`resized ${url} to ${width}px`);
  });

const worker = new Worker({
  client,
  router,
  concurrency: 8,
  jobTimeout: "30s",
  // A payload that fails its schema is killed without running a handler.
  hooks: { onJobFailure: (job, { failure }) => console.log(`job ${job.id} (${job.type}) failed: ${failure.message}`) },
});

console.log(`worker running against ${env.ZIZQ_URL ?? handle!.url}; Ctrl-C to stop`);
const code = await runWorker(worker); // sets process.exitCode: 0 after a graceful stop
console.log("stopped", worker.stats());
await handle?.close();
embedded?.close();
console.log(`exit code ${code}`);
