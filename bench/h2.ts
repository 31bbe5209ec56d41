/**
 * `npm run bench -- h2`: does `nodeFetch({ allowH2: true })` help?
 *
 * The in-memory Zizq behind mutual TLS that offers both HTTP/2 and HTTP/1.1 by ALPN (as a TLS
 * Zizq would), in its own process (this file run as a script) so each side has its own event loop. The same measurements with
 * `allowH2` false (HTTP/1.1, one connection per request in flight) and true (one HTTP/2 connection
 * that every request shares, the take stream too), alternating, several rounds; medians printed.
 *
 * 1. 2,000 sequential small requests (GET /health), and 1,000 sequential single acks.
 * 2. 4,000 requests from 16 loops at once.
 * 3. A Worker (concurrency 8, no-op handlers) draining 5,000 jobs: take stream plus bulk acks.
 */
import { spawn } from "node:child_process";
import { createSecureServer } from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { getRequestListener } from "@hono/node-server";
import { type NodeFetch, nodeFetch } from "../adapters/node.ts";
import { Client, defineJob, Router, Worker } from "../src/index.ts";
import { createTestServer } from "../src/testing/index.ts";
import { makeCertificates, type TestCertificates } from "../test/support/certs.ts";

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const Noop = defineJob({ type: "noop", queue: "bench" });

async function serveH2(): Promise<void> {
  const certificates = await makeCertificates();
  const zizq = createTestServer();
  const server = createSecureServer(
    {
      allowHTTP1: true,
      key: certificates.server.key,
      cert: certificates.server.cert,
      ca: certificates.ca.cert,
      requestCert: true,
      rejectUnauthorized: true,
    },
    getRequestListener((request) => zizq.fetch(request), { overrideGlobalObjects: false }),
  );
  // node:https sets TCP_NODELAY by default but the HTTP/1.1 fallback of an HTTP/2 server does not:
  // without it Nagle holds back small take-stream writes and HTTP/1.1 looks 8x slower than it is.
  server.on("connection", (socket: Socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `https://127.0.0.1:${port}`, certificates })}\n`);
  process.stdin.on("end", () => process.exit(0)).resume();
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function timed(fn: () => Promise<number>): Promise<number> {
  const start = performance.now();
  const n = await fn();
  return (n * 1000) / (performance.now() - start);
}

async function measure(url: string, certificates: TestCertificates, allowH2: boolean): Promise<Record<string, number>> {
  const fetch: NodeFetch = nodeFetch({
    ca: certificates.ca.cert,
    cert: certificates.client.cert,
    key: certificates.client.key,
    allowH2,
  });
  const client = new Client({ url, fetch });
  try {
    await client.reset();
    for (let i = 0; i < 300; i++) await client.health(); // warm-up: connection, JIT
    const result: Record<string, number> = {};
    result["sequential GET /health"] = await timed(async () => {
      for (let i = 0; i < 2_000; i++) await client.health();
      return 2_000;
    });
    result["16 loops GET /health"] = await timed(async () => {
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let i = 0; i < 250; i++) await client.health();
        }),
      );
      return 4_000;
    });
    // Single acks one after another: the ack path's round trip, unbatched.
    // 1,000: the test server holds at most 1,024 jobs in flight.
    await client.enqueueBulk(Array.from({ length: 1_000 }, () => Noop.with({})));
    const ids: string[] = [];
    const stop = new AbortController();
    const stream = await client.take({ queues: ["bench"], prefetch: 0, signal: stop.signal });
    const reader = stream.getReader();
    while (ids.length < 1_000) {
      const { value } = await reader.read();
      if (value) ids.push(value.id);
    }
    result["sequential acks"] = await timed(async () => {
      for (const id of ids) await client.ack(id);
      return ids.length;
    });
    stop.abort();
    await reader.cancel().catch(() => undefined);

    for (let i = 0; i < 5; i++) await client.enqueueBulk(Array.from({ length: 1_000 }, () => Noop.with({})));
    const worker = new Worker({ client, router: new Router().route(Noop, async () => {}), concurrency: 8, queues: ["bench"] });
    const start = performance.now();
    const { completed } = await worker.drain({ maxIdle: 200, maxDuration: 60_000 });
    // Count only the work, not the idle wait that ends the drain.
    result["Worker drains 5,000 (c=8)"] = (completed * 1000) / (performance.now() - start - 200);
    if (completed !== 5_000) throw new Error(`drained ${completed} of 5000`);
    return result;
  } finally {
    await fetch.close();
  }
}

export async function run(): Promise<void> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const [line] = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next().then((r) => [r.value as string]);
  const { url, certificates } = JSON.parse(line!) as { url: string; certificates: TestCertificates };
  const runs: Record<"h1" | "h2", Record<string, number[]>> = { h1: {}, h2: {} };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const allowH2 of round % 2 === 0 ? [false, true] : [true, false]) {
        const result = await measure(url, certificates, allowH2);
        const into = runs[allowH2 ? "h2" : "h1"];
        for (const [name, value] of Object.entries(result)) (into[name] ??= []).push(value);
        console.error(`round ${round + 1} ${allowH2 ? "h2" : "h1"}`, Object.values(result).map(Math.round).join(" / "));
      }
    }
  } finally {
    child.stdin!.end();
  }
  console.log(`\n| ops/s, median of ${ROUNDS} | allowH2: false (HTTP/1.1) | allowH2: true (HTTP/2) | h2 / h1 |`);
  console.log("|:--|--:|--:|--:|");
  for (const name of Object.keys(runs.h1)) {
    const h1 = median(runs.h1[name]!);
    const h2 = median(runs.h2[name]!);
    console.log(`| ${name} | ${Math.round(h1).toLocaleString("en")} | ${Math.round(h2).toLocaleString("en")} | ${(h2 / h1).toFixed(2)} |`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await serveH2();
