/**
 * `npm start`: the main demo. Starts the embedded in-memory Zizq server on a loopback port (or
 * uses the real server at ZIZQ_URL), then walks the client through a job's life: typed enqueue
 * with schema validation, a bulk enqueue, a query, a take stream, one bulk ack and a failure, then
 * a Worker draining a queue of 200 jobs.
 */
import * as v from "valibot";
import { Client, defineJob, NonRetryableError, Router, Worker, ZizqValidationError } from "zizq-edge";
import { serve } from "zizq-edge/node";
import { createTestServer } from "zizq-edge/testing";

const SendEmail = defineJob({
  type: "send_email",
  queue: "demo",
  schema: v.object({ to: v.pipe(v.string(), v.email()), subject: v.string() }),
  priority: 100,
  retryLimit: 5,
});

const Digest = defineJob({ type: "digest", queue: "digests", schema: v.object({ userId: v.number() }) });

async function main(): Promise<void> {
  const external = process.env.ZIZQ_URL;
  const embedded = external ? undefined : createTestServer();
  const handle = embedded ? await serve(embedded) : undefined;
  const url = external ?? handle?.url ?? "";
  console.log(external ? `Using the Zizq server at ${url}` : `Embedded Zizq test server listening on ${url}`);

  const client = new Client({ url });
  try {
    console.log(`server version ${await client.checkCompatibility()}`);

    const first = await client.enqueue(SendEmail, { to: "ada@example.com", subject: "Welcome" });
    console.log(`enqueued ${first.id} (${first.status}, priority ${first.priority})`);
    const later = await client.enqueue(SendEmail, { to: "ada@example.com", subject: "Tips" }, { delay: "1h" });
    console.log(`enqueued ${later.id} (${later.status}, ready at ${new Date(later.readyAt).toISOString()})`);
    const bulk = await client.enqueueBulk([
      SendEmail.with({ to: "grace@example.com", subject: "Welcome" }),
      SendEmail.with({ to: "linus@example.com", subject: "Welcome" }, { priority: 50 }),
    ]);
    console.log(`enqueued ${bulk.length} more in one request`);

    try {
      await client.enqueue(SendEmail, { to: "not an address", subject: "Oops" });
    } catch (error) {
      if (!(error instanceof ZizqValidationError)) throw error;
      console.log(`refused before sending: ${error.message}`);
    }

    const ready = client.jobs({ queue: "demo", status: "ready" });
    console.log(`ready in "demo": ${await ready.count()}, scheduled: ${await client.jobs({ queue: "demo", status: "scheduled" }).count()}`);

    const stream = await client.take({ queues: ["demo"], prefetch: 3 });
    const reader = stream.getReader();
    const taken = [];
    for (let i = 0; i < 3; i++) {
      const { value: job } = await reader.read();
      if (!job) throw new Error("the take stream ended early");
      console.log(`took     ${job.id} ${job.type} -> ${(job.payload as { to: string }).to} (priority ${job.priority})`);
      taken.push(job);
    }
    const [bounced, ...sent] = taken;
    if (!bounced) throw new Error("nothing was taken");
    const { notFound } = await client.ackMany(sent.map((job) => job.id));
    console.log(`acked    ${sent.length} jobs in one bulk ack (${notFound.length} not found)`);
    const failed = await client.fail(bounced.id, { message: "mailbox full", errorType: "SmtpError" });
    console.log(`failed   ${bounced.id}: now ${failed.status}, attempt ${failed.attempts}, retry at ${new Date(failed.readyAt).toISOString()}`);
    await reader.cancel();

    for await (const record of client.errors(bounced.id)) {
      console.log(`error history of ${bounced.id}: attempt ${record.attempt} ${record.errorType}: ${record.message}`);
    }
    console.log(`jobs left in "demo": ${await client.jobs({ queue: "demo" }).count()}`);

    await client.enqueueBulk(Array.from({ length: 200 }, (_, i) => Digest.with({ userId: i })));
    const router = new Router().route(Digest, async ({ userId }) => {
      if (userId === 13) throw new NonRetryableError("user 13 has no digest");
    });
    const worker = new Worker({ client, router, queues: ["digests"], concurrency: 16, logger: { warn: () => {}, error: console.error } });
    const summary = await worker.drain({ maxIdle: 300 });
    console.log(
      `worker   ran ${summary.processed} digests (${summary.completed} completed, ${summary.failed} killed) ` +
        `in ${Math.round(summary.durationMs)} ms, with ${worker.stats().ackRequests} bulk acks; stopped: ${summary.reason}`,
    );
  } finally {
    embedded?.close();
    await handle?.close();
  }
}

await main();
