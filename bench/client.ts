import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import * as v from "valibot";
import { Client, defineJob } from "../src/index.ts";

const WARMUP = 1_000;
const REQUESTS = 2_000;
const PAIRS = 7;
const BULK = 1_000;
const BULK_ROUNDS = 20;

const SendEmail = defineJob({
  type: "send_email",
  queue: "bench",
  schema: v.object({ to: v.string(), subject: v.string() }),
});
const payload = { to: "someone@example.com", subject: "Welcome" };

/** The test server in its own process, as a real server would be: the client gets a core to itself. */
async function startServer(): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/test-server.ts", "--port", "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  for await (const chunk of child.stdout ?? []) {
    output += String(chunk);
    const url = /Listening on (http:\/\/\S+)/.exec(output)?.[1];
    if (url) return { url, process: child };
  }
  throw new Error(`the test server did not start: ${output}`);
}

async function requestsPerSecond(send: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < REQUESTS; i++) await send();
  return REQUESTS / ((performance.now() - started) / 1000);
}

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const fmt = (n: number) => Math.round(n).toLocaleString("en");

export async function run(): Promise<void> {
  const server = await startServer();
  try {
    const client = new Client({ url: server.url });
    const body = JSON.stringify({ type: "send_email", queue: "bench", payload });
    const raw = () =>
      fetch(`${server.url}/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body }).then((r) => r.json());
    const typed = () => client.enqueue(SendEmail, payload);

    for (let i = 0; i < WARMUP; i++) await raw();
    for (let i = 0; i < WARMUP; i++) await typed();
    // Back-to-back pairs, so drift on a shared machine hits both sides of each ratio alike.
    const rawRates: number[] = [];
    const clientRates: number[] = [];
    const ratios: number[] = [];
    for (let pair = 0; pair < PAIRS; pair++) {
      const rawRate = await requestsPerSecond(raw);
      const clientRate = await requestsPerSecond(typed);
      rawRates.push(rawRate);
      clientRates.push(clientRate);
      ratios.push(rawRate / clientRate);
    }
    console.log(
      `single enqueue, sequential, loopback (median of ${PAIRS} pairs of ${fmt(REQUESTS)}): raw fetch ${fmt(median(rawRates))} req/s, client.enqueue ${fmt(median(clientRates))} req/s`,
    );
    console.log(`client overhead: ${median(ratios).toFixed(2)}x raw fetch (target <= 1.3x; pairs ${ratios.map((r) => r.toFixed(2)).join(" ")})`);

    const jobs = Array.from({ length: BULK }, (_, i) => SendEmail.with({ to: `user${i}@example.com`, subject: "Welcome" }));
    await client.enqueueBulk(jobs);
    const started = performance.now();
    for (let round = 0; round < BULK_ROUNDS; round++) await client.enqueueBulk(jobs);
    const seconds = (performance.now() - started) / 1000;
    console.log(`bulk enqueue in batches of ${fmt(BULK)}: ${fmt((BULK * BULK_ROUNDS) / seconds)} jobs/s`);
  } finally {
    server.process.kill("SIGTERM");
    await once(server.process, "exit");
  }
}
