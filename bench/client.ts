/**
 * `npm run bench -- client`: single enqueue, sequential, over loopback to the test server in its
 * own process, as `client.enqueue` and as a raw request of the same body (bench/enqueue-pairs.ts).
 * On Node twice: the global fetch against `new Client({ url })`, and undici's `request` against
 * `nodeClient({ url })` (nodeFetch); then Bun and Deno with their fetch. Then bulk enqueue.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { Pool } from "undici";
import { nodeClient } from "../adapters/node.ts";
import { Client } from "../src/index.ts";
import { ENQUEUE_BODY, enqueuePairs, type Pairs, rawFetch, SendEmail } from "./enqueue-pairs.ts";

const BULK = 1_000;
const BULK_ROUNDS = 20;
/** Issue 13: the client at most this many times slower than the raw request. */
const TARGET = 1.1;

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

async function stop(server: { process: ChildProcess }): Promise<void> {
  server.process.kill("SIGTERM");
  await once(server.process, "exit");
}

const RUNTIMES: Record<string, string[]> = {
  bun: ["node_modules/.bin/bun", "bench/enqueue-pairs.ts"],
  deno: ["node_modules/.bin/deno", "run", "--node-modules-dir=manual", "--allow-net=127.0.0.1", "--allow-env", "--allow-read", "bench/enqueue-pairs.ts"],
};

/** The pairs on another runtime, against a server of its own. */
async function otherRuntime(name: string): Promise<Pairs & { runtime: string }> {
  const server = await startServer();
  try {
    const [command = "", ...args] = RUNTIMES[name] ?? [];
    const child = spawn(command, [...args, server.url], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" } });
    let output = "";
    for await (const chunk of child.stdout ?? []) output += String(chunk);
    const [code] = (await once(child, "exit")) as [number | null];
    if (code !== 0) throw new Error(`${name} exited with ${code}: ${output}`);
    return JSON.parse(output.trim().split("\n").at(-1) ?? "") as Pairs & { runtime: string };
  } finally {
    await stop(server);
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString("en");

export async function run(): Promise<void> {
  const rows: [string, Pairs][] = [];
  const server = await startServer();
  const pool = new Pool(server.url);
  try {
    rows.push([`node ${process.version}: global fetch / new Client`, await enqueuePairs(rawFetch(server.url), new Client({ url: server.url }))]);
    const request = async () => {
      const answer = await pool.request({ path: "/jobs", method: "POST", headers: { "content-type": "application/json" }, body: ENQUEUE_BODY });
      return answer.body.json();
    };
    const fast = nodeClient({ url: server.url });
    rows.push([`node ${process.version}: undici request / nodeClient`, await enqueuePairs(request, fast)]);
    // nodeClient against the global fetch too: what a Node user gains by it.
    rows.push([`node ${process.version}: global fetch / nodeClient`, await enqueuePairs(rawFetch(server.url), fast)]);

    const jobs = Array.from({ length: BULK }, (_, i) => SendEmail.with({ to: `user${i}@example.com`, subject: "Welcome" }));
    await fast.enqueueBulk(jobs);
    const started = performance.now();
    for (let round = 0; round < BULK_ROUNDS; round++) await fast.enqueueBulk(jobs);
    console.log(`bulk enqueue in batches of ${fmt(BULK)} (nodeClient): ${fmt((BULK * BULK_ROUNDS) / ((performance.now() - started) / 1000))} jobs/s`);
  } finally {
    await pool.close();
    await stop(server);
  }
  for (const name of Object.keys(RUNTIMES)) {
    try {
      const { runtime, ...pairs } = await otherRuntime(name);
      rows.push([`${runtime}: fetch / new Client`, pairs]);
    } catch (error) {
      console.log(`${name}: ${String(error)}`);
    }
  }
  console.log(`\nsingle enqueue, sequential, loopback (median of 7 back-to-back pairs of 2,000 requests each)`);
  console.log("| raw request / client | raw req/s | client req/s | client cost (raw / client) | pairs |");
  console.log("|:--|--:|--:|--:|:--|");
  for (const [name, { raw, client, ratio, ratios }] of rows) {
    console.log(`| ${name} | ${fmt(raw)} | ${fmt(client)} | ${ratio.toFixed(2)}x ${ratio <= TARGET ? "" : "(over 1.1x)"} | ${ratios.map((r) => r.toFixed(2)).join(" ")} |`);
  }
}
