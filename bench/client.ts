/**
 * `npm run bench -- client`: single enqueue, sequential, over loopback to the test server in its
 * own process, as `client.enqueue` and as a raw request of the same body (bench/enqueue-pairs.ts).
 * On Node twice: the global fetch against `new Client({ url })`, and undici's `request` against
 * `nodeClient({ url })` (nodeFetch), and against a Client over nodeFetch's `Response` without its
 * exchange (the A/B of src/client/exchange.ts); then Bun and Deno with their fetch. Then bulk
 * enqueue.
 */
import { Pool } from "undici";
import { nodeClient, nodeFetch } from "../adapters/node.ts";
import { TAKES_PLAIN_SIGNAL } from "../src/client/deadline.ts";
import { Client } from "../src/index.ts";
import { OTHER_RUNTIMES, runOn, startServer } from "./children.ts";
import { ENQUEUE_BODY, enqueuePairs, type Pairs, rawFetch, SendEmail } from "./enqueue-pairs.ts";

const BULK = 1_000;
const BULK_ROUNDS = 20;
/** Issue 13: the client at most this many times slower than the raw request. */
const TARGET = 1.1;

/** The test server in its own process, as a real server would be: the client gets a core to itself. */
const startTestServer = () => startServer("scripts/test-server.ts", ["--port", "0"]);

/** The pairs on another runtime, against a server of its own. */
async function otherRuntime(name: string): Promise<Pairs & { runtime: string }> {
  const server = await startTestServer();
  try {
    return await runOn<Pairs & { runtime: string }>(name, "bench/enqueue-pairs.ts", server.url);
  } finally {
    await server.close();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString("en");

export async function run(): Promise<void> {
  const rows: [string, Pairs][] = [];
  const server = await startTestServer();
  const pool = new Pool(server.url);
  const fastFetch = nodeFetch();
  try {
    rows.push([`node ${process.version}: global fetch / new Client`, await enqueuePairs(rawFetch(server.url), new Client({ url: server.url }))]);
    const request = async () => {
      const answer = await pool.request({ path: "/jobs", method: "POST", headers: { "content-type": "application/json" }, body: ENQUEUE_BODY });
      return answer.body.json();
    };
    const fast = nodeClient({ url: server.url, fetch: fastFetch });
    rows.push([`node ${process.version}: undici request / nodeClient`, await enqueuePairs(request, fast)]);
    // The same fetch without the exchange it carries: every call answered with a Response.
    const responses = Object.assign((input: string | URL | Request, init?: RequestInit) => fastFetch(input, init), { [TAKES_PLAIN_SIGNAL]: true });
    rows.push([`node ${process.version}: undici request / Client over nodeFetch, no exchange`, await enqueuePairs(request, new Client({ url: server.url, fetch: responses }))]);
    // nodeClient against the global fetch too: what a Node user gains by it.
    rows.push([`node ${process.version}: global fetch / nodeClient`, await enqueuePairs(rawFetch(server.url), fast)]);

    const jobs = Array.from({ length: BULK }, (_, i) => SendEmail.with({ to: `user${i}@example.com`, subject: "Welcome" }));
    await fast.enqueueBulk(jobs);
    const started = performance.now();
    for (let round = 0; round < BULK_ROUNDS; round++) await fast.enqueueBulk(jobs);
    console.log(`bulk enqueue in batches of ${fmt(BULK)} (nodeClient): ${fmt((BULK * BULK_ROUNDS) / ((performance.now() - started) / 1000))} jobs/s`);
  } finally {
    await Promise.all([pool.close(), fastFetch.close()]);
    await server.close();
  }
  for (const name of Object.keys(OTHER_RUNTIMES)) {
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
