/**
 * A test server holding what a dashboard should show: ready, scheduled, in-flight, completed and
 * dead jobs (with error histories and backtraces), budgets, and cron groups, one of them paused.
 * Used by `npm run dashboard`, the dashboard's tests and its browser test.
 */
import { Client } from "../src/client/client.ts";
import { defineJob } from "../src/job/define-job.ts";
import { createTestServer } from "../src/testing/index.ts";
import type { TestServer } from "../src/testing/types.ts";
import type { Job } from "../src/types/job.ts";

export interface SeededServer {
  server: TestServer;
  client: Client;
  /** Closes the take stream that holds the in-flight jobs, then the server. */
  close(): Promise<void>;
}

const SendEmail = defineJob<{ to: string; template: string }>({ type: "send_email", queue: "emails" });
const ResizeImage = defineJob<{ key: string; sizes: number[] }>({ type: "resize_image", queue: "images" });
const BuildReport = defineJob<{ kind: string; tenant: number }>({ type: "build_report", queue: "reports" });
const ChargeCard = defineJob<{ invoice: string; amountCents: number; currency: string }>({ type: "charge_card", queue: "payments" });
const DeliverWebhook = defineJob<{ url: string; event: unknown }>({ type: "deliver_webhook", queue: "webhooks" });

/** Takes `count` jobs from one queue on a fresh stream; `release` closes it (unsettled jobs go back). */
async function takeSome(client: Client, queue: string, count: number): Promise<{ jobs: Job[]; release: () => Promise<void> }> {
  const reader = (await client.take({ queues: [queue], prefetch: count })).getReader();
  const jobs: Job[] = [];
  while (jobs.length < count) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the take stream of ${queue} ended after ${jobs.length} jobs`);
    jobs.push(value);
  }
  return { jobs, release: () => reader.cancel() };
}

function backtrace(fn: string, file: string): string {
  return [`    at ${fn} (/srv/app/src/jobs/${file}:42:11)`, "    at Router.dispatch (/srv/app/node_modules/zizq-edge/dist/index.js:1:2045)", "    at async Worker.run (/srv/app/node_modules/zizq-edge/dist/index.js:1:9120)"].join("\n");
}

async function failUntilDead(client: Client, queue: string, failures: { message: string; errorType: string; fn: string }[]): Promise<void> {
  for (const [i, failure] of failures.entries()) {
    const { jobs, release } = await takeSome(client, queue, 1);
    const last = i === failures.length - 1;
    await client.fail(jobs[0]!.id, {
      message: failure.message,
      errorType: failure.errorType,
      backtrace: `${failure.errorType}: ${failure.message}\n${backtrace(failure.fn, `${queue}.ts`)}`,
      ...(last ? { kill: true } : { retryAt: Date.now() }),
    });
    await release();
  }
}

export async function seededServer(): Promise<SeededServer> {
  const server = createTestServer({ license: "pro", defaultRetention: { completedMs: 3_600_000 }, heartbeatMs: 60_000 });
  const client = new Client({ url: "http://zizq.test", fetch: server.fetch });

  await client.budgets.define({ key: "stripe", allocation: 20, strategy: { type: "time_based", durationMs: 1_000 } });
  await client.enqueueBulk(
    Array.from({ length: 30 }, (_, i) => SendEmail.with({ to: `user${i + 1}@example.com`, template: i % 3 === 0 ? "welcome" : "receipt" })),
  );
  const { jobs: sent, release: releaseSent } = await takeSome(client, "emails", 12);
  await client.ackMany(sent.map((job) => job.id));
  await releaseSent();

  await client.enqueueBulk(Array.from({ length: 8 }, (_, i) => ResizeImage.with({ key: `uploads/photo-${i + 1}.jpg`, sizes: [320, 640, 1280] })));
  const inFlight = await takeSome(client, "images", 3);

  await client.enqueueBulk(Array.from({ length: 5 }, (_, i) => BuildReport.with({ kind: "monthly", tenant: i + 1 }, { delay: "2h" })));

  await client.enqueueBulk(
    Array.from({ length: 6 }, (_, i) =>
      ChargeCard.with({ invoice: `INV-2026-${100 + i}`, amountCents: 1_999 + i * 500, currency: "EUR" }, { budgets: [{ key: "stripe", cost: 1 }], retryLimit: 5 }),
    ),
  );
  const { jobs: charges, release: releaseCharges } = await takeSome(client, "payments", 3);
  for (const [i, job] of charges.entries()) {
    const message = i === 0 ? "card_declined: insufficient funds" : "Stripe API timed out after 10000 ms";
    const errorType = i === 0 ? "CardDeclinedError" : "TimeoutError";
    await client.fail(job.id, {
      message,
      errorType,
      backtrace: `${errorType}: ${message}\n${backtrace("chargeCard", "payments.ts")}`,
      ...(i === 0 ? { kill: true } : { retryAt: Date.now() + 600_000 }),
    });
  }
  await releaseCharges();

  await client.enqueue(DeliverWebhook, {
    url: "https://hooks.example.com/orders?id=7&sig=\"x\"",
    event: { type: "order.paid", note: `<script>alert("not run")</script> & 'quotes'`, lines: [{ sku: "A-1", qty: 2 }] },
  });
  await failUntilDead(client, "webhooks", [
    { message: "connect ECONNREFUSED 10.0.0.12:443", errorType: "ConnectionError", fn: "deliverWebhook" },
    { message: "HTTP 502 Bad Gateway", errorType: "HttpError", fn: "deliverWebhook" },
    { message: "HTTP 410 Gone: endpoint removed", errorType: "NonRetryableError", fn: "deliverWebhook" },
  ]);

  const report = (kind: string) => BuildReport.with({ kind, tenant: 0 });
  await client.crons.put("reports", {
    timezone: "Europe/Paris",
    entries: [
      { name: "nightly-digest", expression: "0 3 * * *", job: report("digest") },
      { name: "weekly-summary", expression: "0 8 * * 1", job: report("weekly") },
    ],
  });
  await client.crons.put("billing", { entries: [{ name: "retry-failed-charges", expression: "*/15 * * * *", job: report("billing") }] });
  await client.crons.pause("billing");

  return {
    server,
    client,
    async close() {
      await inFlight.release();
      server.close();
    },
  };
}
