/**
 * `npm run worker`: a long-lived worker. Typed jobs, a Router, a Worker with 16 handlers at once,
 * stopped gracefully by Ctrl-C (running emails finish and are acked before the stream closes).
 * Uses the embedded test server on a loopback port, seeded with jobs, unless ZIZQ_URL is set.
 */
import * as v from "valibot";
import { Client, defineJob, NonRetryableError, Router, Worker } from "zizq-edge";
import { serve } from "zizq-edge/node";
import { createTestServer } from "zizq-edge/testing";

const SendEmail = defineJob({
  type: "send_email",
  queue: "emails",
  schema: v.object({ to: v.pipe(v.string(), v.email()), subject: v.string() }),
  retryLimit: 5,
});

const Unsubscribe = defineJob({ type: "unsubscribe", queue: "emails", schema: v.object({ to: v.string() }) });

const external = process.env.ZIZQ_URL;
const embedded = external ? undefined : createTestServer();
const handle = embedded ? await serve(embedded) : undefined;
const client = new Client({ url: external ?? handle?.url ?? "" });

if (embedded) {
  await client.enqueueBulk(
    Array.from({ length: 40 }, (_, i) => SendEmail.with({ to: `user${i}@example.com`, subject: "Welcome" })),
  );
  await client.enqueue(Unsubscribe, { to: "nobody@example.com" });
  console.log(`Embedded Zizq test server on ${handle?.url}, with 41 jobs waiting`);
}

const router = new Router()
  .route(SendEmail, async ({ to, subject }, ctx) => {
    // A real handler would call a mail API, passing ctx.signal so a stop or timeout cancels it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    ctx.log.info(`sent "${subject}" to ${to} (attempt ${ctx.attempt})`);
  })
  .route(Unsubscribe, async ({ to }) => {
    throw new NonRetryableError(`${to} has no subscription`); // straight to dead, no retries
  });

const worker = new Worker({
  client,
  router,
  concurrency: 16,
  jobTimeout: "30s",
  hooks: { onJobFailure: (job, { failure }) => console.log(`job ${job.id} failed: ${failure.message}`) },
});

const stop = new AbortController();
process.once("SIGINT", () => {
  console.log("stopping: letting running jobs finish…");
  stop.abort();
});
console.log("worker running; Ctrl-C to stop");
await worker.run(stop.signal);
console.log("stopped", worker.stats());
await handle?.close();
