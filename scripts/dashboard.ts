/**
 * `npm run dashboard`: the test server, seeded with a realistic mix of jobs and cron groups, and
 * the dashboard over it at http://127.0.0.1:<port>/admin/zizq. A small worker keeps finishing
 * emails, so the throughput chart moves. `--port <n>` picks the port (default 7891).
 */
import { parseArgs } from "node:util";
import { Hono } from "hono";
import { zizqDashboard } from "../adapters/hono.ts";
import { serve } from "../adapters/node.ts";
import { defineJob } from "../src/job/define-job.ts";
import { seededServer } from "./dashboard-seed.ts";

const { values } = parseArgs({ options: { port: { type: "string", default: "7891" } } });
const seeded = await seededServer();
const { client } = seeded;

const app = new Hono();
// A local tool on loopback: no login. In an app, pass authorize(c) instead.
app.route("/admin/zizq", zizqDashboard({ client, dangerouslyAllowUnauthenticated: true }));
app.get("/", (c) => c.redirect("/admin/zizq"));
const handle = await serve(app, { port: Number(values.port) });
console.log(`Zizq dashboard: ${handle.url}/admin/zizq  (Ctrl-C to stop)`);

// New emails arrive and get sent, one in ten failing, so the overview has something to draw.
const SendEmail = defineJob<{ to: string; template: string }>({ type: "send_email", queue: "emails" });
let n = 0;
async function sendOne(): Promise<void> {
  await client.enqueue(SendEmail, { to: `live${++n}@example.com`, template: "receipt" });
  const reader = (await client.take({ queues: ["emails"], prefetch: 1 })).getReader();
  try {
    const { value } = await reader.read();
    if (!value) return;
    if (n % 10 === 0) await client.fail(value.id, { message: "SMTP 451 try again later", errorType: "SmtpError", kill: true });
    else await client.ack(value.id);
  } finally {
    await reader.cancel();
  }
}
let sending = false;
const tick = setInterval(() => {
  if (sending) return;
  sending = true;
  sendOne()
    .catch((error: unknown) => console.error("demo worker:", error))
    .finally(() => (sending = false));
}, 700);

process.once("SIGINT", async () => {
  clearInterval(tick);
  await handle.close();
  await seeded.close();
});
