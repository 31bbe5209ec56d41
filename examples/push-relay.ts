/**
 * The push relay: a process next to Zizq (it holds the Zizq credentials) that takes jobs and
 * POSTs each one, signed, to a push endpoint (examples/push-endpoint.ts) — on an edge runtime, a
 * serverless function, anything that can answer HTTP. It acks or nacks each job by the answer.
 *
 *   npm run example:push       # demo: embedded Zizq, the endpoint in-process, 12 jobs, then exit
 *
 *   ZIZQ_URL=http://127.0.0.1:7890 PUSH_URL=https://edge.example/zizq PUSH_SECRET=whsec_... \
 *     npx tsx examples/push-relay.ts                      # until Ctrl-C
 *
 * PUSH_SECRET may list several secrets, comma-separated, during a key rotation: each delivery then
 * carries one signature per secret.
 */
import { Client, createRelay } from "zizq-edge";
import { generateSecret } from "zizq-edge/push";
import { runWorker, serve } from "zizq-edge/node";
import { createTestServer } from "zizq-edge/testing";
import { endpointApp, SendEmail } from "./push-endpoint.ts";

const demo = process.argv.includes("--demo");

if (demo) {
  // Everything on loopback ports: the test Zizq, and the endpoint app from push-endpoint.ts.
  const zizq = await serve(createTestServer({ license: "pro", defaultRetention: { completedMs: 3_600_000 } }));
  const client = new Client({ url: zizq.url });
  const secret = generateSecret();
  const endpoint = await serve(endpointApp({ secrets: secret }));
  console.log(`zizq on ${zizq.url}; push endpoint on ${endpoint.url}/zizq`);

  await client.enqueueBulk([
    ...Array.from({ length: 8 }, (_, i) => SendEmail.with({ to: `user${i}@example.com`, subject: "welcome" })),
    SendEmail.with({ to: "busy@example.com", subject: "retried after 500 ms" }),
    SendEmail.with({ to: "nobody@bounce.example", subject: "killed: NonRetryableError" }),
  ]);
  await client.enqueueRaw({ type: "send_email", queue: "emails", payload: { to: "not an address", subject: "killed: schema" } });
  await client.enqueueRaw({ type: "send_email", queue: "emails", payload: { to: "user9@example.com", subject: "raw but valid" } });

  const relay = createRelay({
    client,
    endpoint: `${endpoint.url}/zizq`,
    secret,
    concurrency: 4,
    queues: ["emails"],
    hooks: {
      onJobSuccess: (job) => console.log(`relay: ${job.id} delivered, acked`),
      onJobFailure: (job, { failure }) =>
        console.log(`relay: ${job.id} nacked (${failure.errorType}${failure.kill ? ", killed" : ""}${failure.retryAt ? ", retry at" : ""}): ${failure.message}`),
    },
  });
  const stop = new AbortController();
  const running = relay.run(stop.signal);
  const open = () => client.jobs({ queue: "emails", status: ["ready", "scheduled", "in_flight"] }).count();
  while ((await open()) > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  stop.abort();
  await running;
  const completed = await client.jobs({ queue: "emails", status: "completed" }).count();
  const dead = await client.jobs({ queue: "emails", status: "dead" }).count();
  console.log(`done: ${completed} completed, ${dead} dead (expected 10 and 2)`);
  await endpoint.close();
  await zizq.close();
  process.exitCode = completed === 10 && dead === 2 ? 0 : 1;
} else {
  const { ZIZQ_URL, PUSH_URL, PUSH_SECRET } = process.env;
  if (!ZIZQ_URL || !PUSH_URL || !PUSH_SECRET) {
    console.error("set ZIZQ_URL, PUSH_URL and PUSH_SECRET (or run with --demo)");
    process.exit(2);
  }
  const relay = createRelay({
    client: new Client({ url: ZIZQ_URL }),
    endpoint: PUSH_URL,
    secret: PUSH_SECRET.split(",").map((s) => s.trim()),
    concurrency: Number(process.env.CONCURRENCY ?? 16),
    timeout: Number(process.env.PUSH_TIMEOUT_MS ?? 30_000),
    ...(process.env.QUEUES ? { queues: process.env.QUEUES.split(",") } : {}),
  });
  console.log(`relaying ${ZIZQ_URL} -> ${PUSH_URL}; Ctrl-C to stop`);
  await runWorker(relay);
}
