import { Hono } from "hono";
import { zizqDashboard } from "../adapters/hono.ts";
import { Client } from "../src/client/client.ts";
import { createTestServer } from "../src/testing/index.ts";

const JOBS = 100_000;
const QUEUES = ["emails", "images", "reports", "payments", "webhooks"];
const RUNS = 15;
const TARGET_MS = 200;

/** Median and slowest of RUNS calls, in ms. */
async function timed(call: () => Promise<unknown>): Promise<{ median: number; max: number }> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(RUNS / 2)]!, max: times[RUNS - 1]! };
}

/**
 * The dashboard's pages over a test server holding 100,000 jobs (a tenth of them scheduled), in
 * process through `app.request`: the list is one page of the server's listing and the counts
 * come from its count endpoint, so no page should grow with the queue. Target: every page's
 * median under 200 ms.
 */
export async function run(): Promise<void> {
  const server = createTestServer({ license: "pro" });
  const client = new Client({ url: "http://zizq.test", fetch: server.fetch });
  // Straight to the server's bulk endpoint: filling the store is not what is measured.
  for (let sent = 0; sent < JOBS; sent += 1_000) {
    const jobs = Array.from({ length: 1_000 }, (_, i) => {
      const n = sent + i;
      const job = { type: n % 3 === 0 ? "send_email" : "resize_image", queue: QUEUES[n % QUEUES.length], payload: { n, tenant: n % 50 } };
      return n % 10 === 0 ? { ...job, ready_at: Date.now() + 3_600_000 } : job;
    });
    const response = await server.fetch("http://zizq.test/jobs/bulk", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jobs }) });
    if (response.status !== 201) throw new Error(`bulk enqueue: ${response.status}`);
  }
  const app = new Hono().route("/z", zizqDashboard({ client, authorize: () => true }));
  const after = (await client.jobs().pageSize(2_000).toArray()).at(50_000)!.id;
  const pages: [string, string][] = [
    ["overview (25 counts)", "/z"],
    ["jobs, newest first", "/z/jobs"],
    ["jobs, oldest first", "/z/jobs?order=asc"],
    ["jobs, page after the 50,000th", `/z/jobs?order=asc&after=${after}`],
    ["jobs, queue + status", "/z/jobs?queue=images&status=scheduled"],
    ["jobs, type", "/z/jobs?type=send_email"],
    ["job page", `/z/jobs/${after}`],
  ];
  let over = false;
  for (const [label, path] of pages) {
    const { median, max } = await timed(async () => {
      const response = await app.request(path);
      await response.text();
      if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
    });
    if (median > TARGET_MS) over = true;
    console.log(`${label.padEnd(34)} median ${median.toFixed(1).padStart(6)} ms, max ${max.toFixed(1).padStart(6)} ms (${JOBS.toLocaleString("en-US")} jobs)`);
  }
  // The same run's floor: what the server alone takes for the overview's 25 counts and a list page.
  const counts = QUEUES.flatMap((queue) => ["ready", "scheduled", "in_flight", "completed", "dead"].map((status) => `/jobs/count?queue=${queue}&status=${status}`));
  const floor = await timed(async () => {
    await Promise.all(counts.map(async (path) => (await server.fetch(`http://zizq.test${path}`)).text()));
  });
  const list = await timed(async () => (await server.fetch("http://zizq.test/jobs?order=desc&limit=51")).text());
  console.log(`server alone: the 25 counts median ${floor.median.toFixed(1)} ms, one list request median ${list.median.toFixed(1)} ms`);
  console.log(`target: every median under ${TARGET_MS} ms${over ? ": MISSED" : ""}`);
  if (over) process.exitCode = 1;
  server.close();
}
