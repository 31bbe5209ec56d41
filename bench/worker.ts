/**
 * `npm run bench -- worker`: the Worker with no-op handlers, and what it is measured against.
 *
 * 1. Decoders: take-stream frame transformers over 64 KiB chunks next to `JSON.parse` (and
 *    MessagePack `decode`) of the same frames one by one.
 * 2. Against a loopback stub (bench/worker-stub.ts, in its own Node process so the client's CPU
 *    figures are its own), at concurrency 1, 10, 25 and 128 (prefetch 2 ×): on Node the Worker in
 *    JSON and MessagePack over the global fetch and over `nodeFetch` (and, JSON over the global
 *    fetch, with the acks pipelined as a `nodeFetch` Worker's are by default), next to DESIGN §7's bare
 *    fetch loop and an undici loop that acks like the official Node client
 *    (bench/reference-loop.ts); then the same Worker bench on Bun and Deno
 *    (bench/worker-runtime.ts), so one table holds all three runtimes.
 * 3. Against the in-process test server (the same process, so CPU covers both sides).
 * 4. Idle ack latency: one job at a time, from its handler returning to the ack reaching the stub.
 *
 * jobs/s is wall time from start to the last ack; CPU is `process.cpuUsage()` (user + system).
 */
import { availableParallelism } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { Decoder, decode } from "@msgpack/msgpack";
import { nodeFetch } from "../adapters/node.ts";
import { Client, type Format, Router, Worker } from "../src/index.ts";
import { MsgpackFrames } from "../src/stream/msgpack-frames.ts";
import { NdjsonFrameTransformer } from "../src/stream/ndjson.ts";
import type { FrameSink, FrameTransformer } from "../src/stream/options.ts";
import { createTestServer } from "../src/testing/index.ts";
import { OTHER_RUNTIMES, runOn, startServer } from "./children.ts";
import { referenceClient } from "./reference-loop.ts";
import type { RuntimeCell } from "./worker-runtime.ts";
import {
  againstStub,
  bareLoop,
  FORMATS,
  JSON_HEADERS,
  type Measured,
  median,
  medianOf,
  Noop,
  pipelinedAcks,
  RUN_LIMIT_MS,
  runWorker,
  STUB_CELLS,
  STUB_ROUNDS,
  WARMUP_JOBS,
  within,
} from "./worker-loops.ts";
import { encodeFrames, startStub } from "./worker-stub.ts";

const fmt = (n: number) => Math.round(n).toLocaleString("en");
const pct = (ratio: number) => `${Math.round(ratio * 100)}%`;
/** Targets missed, printed at the end; a miss sets the exit code. */
const misses: string[] = [];

function target(label: string, ok: boolean, detail: string): void {
  console.log(`  ${(ok ? "ok" : "MISSED").padEnd(6)} ${label}: ${detail}`);
  if (!ok) misses.push(label);
}

function printTable(header: string[], rows: (string | number)[][]): void {
  const cells = rows.map((row) => row.map((cell) => (typeof cell === "number" ? fmt(cell) : cell)));
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((row) => (row[i] ?? "").length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const row of cells) console.log(line(row));
}

// ---- 1. Decoders ---------------------------------------------------------------------------

const DECODE_FRAMES = 100_000;
const CHUNK = 64 * 1024;
const DECODE_ROUNDS = 5;

/** `bytes` cut into CHUNK-sized pieces, as a socket hands them over. */
function chunked(bytes: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength; at += CHUNK) out.push(bytes.subarray(at, at + CHUNK));
  return out;
}

/** The length-prefixed frames of a MessagePack stream, each without its prefix. */
function msgpackBodies(stream: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < stream.byteLength; ) {
    const size = stream.readUInt32BE(at);
    out.push(stream.subarray(at + 4, at + 4 + size));
    at += 4 + size;
  }
  return out;
}

interface Rate {
  /** Frames per second. */
  rate: number;
  /** Of the baseline's rate: the median of the per-round ratios. */
  share: number;
}

/**
 * Frames per second of each pass (each decodes all DECODE_FRAMES); the first pass is the
 * baseline. The passes take turns within each round, after a warm-up round, so drift on a
 * shared machine hits them alike.
 */
function decodeRates<K extends string>(passes: Record<K, () => number>): Record<K, Rate> {
  const entries = Object.entries(passes) as [K, () => number][];
  const rates = entries.map((): number[] => []);
  for (let round = -1; round < DECODE_ROUNDS; round++) {
    entries.forEach(([, pass], i) => {
      const started = performance.now();
      const frames = pass();
      const ms = performance.now() - started;
      if (frames !== DECODE_FRAMES) throw new Error(`decoded ${frames} frames, expected ${DECODE_FRAMES}`);
      if (round >= 0) rates[i]?.push(frames / (ms / 1000));
    });
  }
  const base = rates[0] ?? [];
  const rate = (own: number[]): Rate => ({ rate: median(own), share: median(own.map((r, round) => r / (base[round] ?? r))) });
  return Object.fromEntries(entries.map(([name], i) => [name, rate(rates[i] ?? [])])) as Record<K, Rate>;
}

function transformAll(transformer: FrameTransformer, chunks: Uint8Array[]): number {
  let frames = 0;
  const sink: FrameSink = { enqueue: () => void frames++ };
  for (const chunk of chunks) transformer.transform(chunk, sink);
  transformer.flush(sink);
  return frames;
}

/** What a hand-written client does: decode the chunk, carry the tail, split, parse. */
function splitAndParse(chunks: Uint8Array[]): number {
  const text = new TextDecoder();
  let carry = "";
  let frames = 0;
  for (const chunk of chunks) {
    const lines = (carry + text.decode(chunk, { stream: true })).split("\n");
    carry = lines.pop() ?? "";
    for (const line of lines) if (line !== "" && JSON.parse(line)) frames++;
  }
  return frames;
}

function decoders(): void {
  const ndjson = encodeFrames("ndjson", DECODE_FRAMES);
  const lines = ndjson.toString().split("\n").slice(0, -1);
  const ndjsonChunks = chunked(ndjson);
  const msgpack = encodeFrames("msgpack", DECODE_FRAMES);
  const bodies = msgpackBodies(msgpack);
  const msgpackChunks = chunked(msgpack);
  const reused = new Decoder();

  const json = decodeRates({
    parse: () => lines.reduce((n, line) => (JSON.parse(line) ? n + 1 : n), 0),
    split: () => splitAndParse(ndjsonChunks),
    transformer: () => transformAll(new NdjsonFrameTransformer(), ndjsonChunks),
  });
  const mp = decodeRates({
    decode: () => bodies.reduce((n, body) => (decode(body) ? n + 1 : n), 0),
    reused: () => bodies.reduce((n, body) => (reused.decode(body) ? n + 1 : n), 0),
    transformer: () => transformAll(new MsgpackFrames(new Decoder()), msgpackChunks),
  });

  const ndjsonBytes = ndjson.byteLength / DECODE_FRAMES;
  const msgpackBytes = msgpack.byteLength / DECODE_FRAMES;
  const row = (name: string, { rate, share }: Rate, bytes: number) => [name, rate, ((rate * bytes) / 1e6).toFixed(1), pct(share)];
  console.log(
    `\ndecoding ${fmt(DECODE_FRAMES)} job frames (NDJSON ${ndjsonBytes.toFixed(0)} B/line, MessagePack ${msgpackBytes.toFixed(0)} B/frame); median of ${DECODE_ROUNDS} interleaved rounds`,
  );
  printTable(
    ["decoder", "frames/s", "MB/s", "of baseline"],
    [
      row("JSON.parse per line string (baseline)", json.parse, ndjsonBytes),
      row("TextDecoder + split + JSON.parse, 64 KiB chunks", json.split, ndjsonBytes),
      row("NdjsonFrameTransformer, 64 KiB chunks", json.transformer, ndjsonBytes),
      row("@msgpack decode() per frame (baseline)", mp.decode, msgpackBytes),
      row("@msgpack Decoder.decode() per frame, reused", mp.reused, msgpackBytes),
      row("MsgpackFrames, 64 KiB chunks", mp.transformer, msgpackBytes),
    ],
  );
  target("NDJSON decoding >= 70% of JSON.parse alone", json.transformer.share >= 0.7, pct(json.transformer.share));
}

// ---- 2. Against the stub -------------------------------------------------------------------

/** The stub in its own Node process, driven through its /bench endpoints. */
const spawnStub = () => startServer("bench/worker-stub.ts");

/** The same Worker bench on Bun or Deno (bench/worker-runtime.ts), against a stub of its own in a Node process. */
async function otherRuntime(name: string): Promise<{ runtime: string; cells: RuntimeCell[] }> {
  const stub = await spawnStub();
  try {
    return await runOn<{ runtime: string; cells: RuntimeCell[] }>(name, "bench/worker-runtime.ts", stub.url);
  } finally {
    await stub.close();
  }
}

const NODE_CONTENDERS = [
  "bare",
  "reference json",
  "reference msgpack",
  "fetch json",
  "fetch msgpack",
  "fetch json pipelined",
  "nodeFetch json",
  "nodeFetch msgpack",
] as const;
type Contender = (typeof NODE_CONTENDERS)[number];

/** The README's Node section's Worker: `new Client({ url, fetch: nodeFetch() })`. */
const FAST = "nodeFetch";

async function stubRuns(): Promise<void> {
  const stub = await spawnStub();
  const fast = nodeFetch();
  const reference = referenceClient(stub.url);
  const rows: (string | number)[][] = [];
  const cell = (m: Measured) => [m.jobsPerSecond, m.acksPer1000.toFixed(1), m.clientUsPerJob.toFixed(1)];
  const node: Record<number, Record<Contender, Measured[]>> = {};
  try {
    const clients = {
      "fetch json": new Client({ url: stub.url, format: "json" }),
      "fetch msgpack": new Client({ url: stub.url, format: "msgpack" }),
      "nodeFetch json": new Client({ url: stub.url, format: "json", fetch: fast }),
      "nodeFetch msgpack": new Client({ url: stub.url, format: "msgpack", fetch: fast }),
    };
    const contend = (name: Contender, concurrency: number, prefetch: number, jobs: number): (() => Promise<void>) => {
      if (name === "bare") return () => bareLoop(stub.url, prefetch, jobs);
      if (name === "reference json") return () => reference.run("json", concurrency, prefetch, jobs);
      if (name === "reference msgpack") return () => reference.run("msgpack", concurrency, prefetch, jobs);
      // The acks a nodeClient Worker pipelines by default, over the global fetch, where they are not.
      if (name === "fetch json pipelined") return () => runWorker(clients["fetch json"], concurrency, prefetch, jobs, {}, pipelinedAcks(prefetch));
      return () => runWorker(clients[name], concurrency, prefetch, jobs);
    };
    for (const name of NODE_CONTENDERS) await againstStub(stub.url, WARMUP_JOBS, contend(name, 128, 256, WARMUP_JOBS));
    for (const [concurrency, prefetch, jobs] of STUB_CELLS) {
      const runs = Object.fromEntries(NODE_CONTENDERS.map((name) => [name, [] as Measured[]])) as Record<Contender, Measured[]>;
      node[concurrency] = runs;
      // A window too large to pipeline: that run would be "fetch json" again.
      const contenders = NODE_CONTENDERS.filter((name) => name !== "fetch json pipelined" || pipelinedAcks(prefetch).pipelineAt !== false);
      // The contenders take turns, so drift on a shared machine hits each and its yardsticks alike.
      for (let round = 0; round < STUB_ROUNDS; round++) {
        for (const name of contenders) runs[name].push(await againstStub(stub.url, jobs, contend(name, concurrency, prefetch, jobs)));
      }
      const share = (own: Measured[], base: Measured[]) => median(own.map((m, round) => m.jobsPerSecond / (base[round]?.jobsPerSecond ?? Number.NaN)));
      for (const name of contenders) {
        const format = name.endsWith("msgpack") ? "msgpack" : "json";
        const isWorker = name.startsWith("fetch") || name.startsWith(FAST);
        const ofBare = name === "bare" ? "" : pct(share(runs[name], runs.bare));
        const ofReference = isWorker ? `${share(runs[name], runs[`reference ${format}`]).toFixed(2)}x` : "";
        const pipelined = name.endsWith("pipelined") ? ", pipelineAt prefetch/2" : "";
        const label = name === "bare" ? "bare fetch loop (ndjson)" : isWorker ? `Worker ${format}, ${name.split(" ")[0]}${pipelined}` : `undici reference, ${format}`;
        rows.push(["node", label, concurrency, prefetch, ...cell(medianOf(runs[name])), ofBare, ofReference]);
      }
    }
  } finally {
    await Promise.all([reference.close(), fast.close()]);
    await stub.close();
  }
  for (const name of Object.keys(OTHER_RUNTIMES)) {
    let result: { runtime: string; cells: RuntimeCell[] };
    try {
      result = await otherRuntime(name);
    } catch (error) {
      target(`the Worker bench on ${name}`, false, String(error));
      continue;
    }
    const { runtime, cells } = result;
    for (const c of cells) {
      rows.push([runtime, "bare fetch loop (ndjson)", c.concurrency, c.prefetch, ...cell(c.bare), "", ""]);
      for (const format of FORMATS) rows.push([runtime, `Worker ${format}`, c.concurrency, c.prefetch, ...cell(c[format]), pct(c.ofBare[format]), ""]);
      if (c.pipelined && c.ofBare.pipelined !== undefined) {
        rows.push([runtime, "Worker json, pipelineAt prefetch/2", c.concurrency, c.prefetch, ...cell(c.pipelined), pct(c.ofBare.pipelined), ""]);
      }
    }
  }
  console.log(
    `\nno-op handlers against the loopback stub (own Node process); median of ${STUB_ROUNDS} interleaved rounds per runtime; ` +
      `ratios are medians of per-round ratios; the undici reference acks the way the official Node client does (bench/reference-loop.ts)`,
  );
  printTable(
    ["runtime", "client", "concurrency", "prefetch", "jobs/s", "ack req / 1k jobs", "client CPU µs/job", "of bare fetch loop", "of undici reference"],
    rows,
  );

  const share = (concurrency: number, name: Contender, base: Contender) => {
    const runs = node[concurrency];
    if (runs === undefined) return Number.NaN;
    return median(runs[name].map((m, round) => m.jobsPerSecond / (runs[base][round]?.jobsPerSecond ?? Number.NaN)));
  };
  for (const concurrency of [10, 25]) {
    const ratio = share(concurrency, `${FAST} json`, "reference json");
    target(`Node Worker JSON (nodeFetch) >= 90% of the undici reference at concurrency ${concurrency}`, ratio >= 0.9, pct(ratio));
  }
  for (const concurrency of [1, 10, 25]) {
    const ratio = share(concurrency, `${FAST} json`, "reference json");
    console.log(`  goal   Node Worker JSON (nodeFetch) >= 1.3x the undici reference at concurrency ${concurrency}: ${ratio.toFixed(2)}x`);
  }
  const acks = medianOf(node[128]?.[`${FAST} json`] ?? []).acksPer1000;
  target("ack requests per 1,000 jobs at concurrency 128 <= 5", acks <= 5, acks.toFixed(1));
  // Each format against the reference loop of its own format: the bare fetch loop speaks NDJSON only.
  const gaps = STUB_CELLS.map(([concurrency]) => share(concurrency, `${FAST} json`, "reference json") - share(concurrency, `${FAST} msgpack`, "reference msgpack"));
  const worst = Math.max(...gaps);
  target(
    "Node Worker MessagePack within 10 points of JSON (each as a share of the undici reference in its format)",
    worst <= 0.1,
    `gaps ${gaps.map((gap) => Math.round(gap * 100)).join(", ")} points at concurrency ${STUB_CELLS.map(([c]) => c).join(", ")}`,
  );
}

// ---- 3. Against the in-process test server ---------------------------------------------------

const TEST_SERVER_CELLS: [number, number, number][] = [
  [1, 2, 10_000],
  [16, 32, 60_000],
  [128, 256, 60_000],
];
const BULK = 1_000;

/** The Worker drains `jobs` enqueued beforehand; CPU here is the client's and the server's together. */
async function testServerRun(format: Format, concurrency: number, prefetch: number, jobs: number): Promise<Omit<Measured, "stubUsPerJob">> {
  const server = createTestServer();
  try {
    const client = new Client({ url: "http://zizq.test", fetch: server.fetch, format });
    for (let sent = 0; sent < jobs; sent += BULK) {
      await client.enqueueBulk(Array.from({ length: Math.min(BULK, jobs - sent) }, (_, i) => Noop.with({ to: `user${sent + i}@example.com` })));
    }
    let ackRequests = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    await within(RUN_LIMIT_MS + 10_000, "a run against the test server", runWorker(client, concurrency, prefetch, jobs, { onAckFlush: () => void ackRequests++ }));
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    return { jobsPerSecond: jobs / seconds, acksPer1000: (ackRequests / jobs) * 1000, clientUsPerJob: (used.user + used.system) / jobs };
  } finally {
    server.close();
  }
}

async function testServerRuns(): Promise<void> {
  for (const format of FORMATS) await testServerRun(format, 128, 256, WARMUP_JOBS);
  const rows: (string | number)[][] = [];
  for (const [concurrency, prefetch, jobs] of TEST_SERVER_CELLS) {
    for (const format of FORMATS) {
      const m = await testServerRun(format, concurrency, prefetch, jobs);
      rows.push([`Worker ${format}`, concurrency, prefetch, jobs, m.jobsPerSecond, m.acksPer1000.toFixed(1), m.clientUsPerJob.toFixed(1)]);
    }
  }
  console.log("\nno-op handlers against the in-process test server (enqueued first; CPU covers client and server, one process)");
  printTable(["client", "concurrency", "prefetch", "jobs", "jobs/s", "ack req / 1k jobs", "CPU µs/job (both)"], rows);
}

// ---- 4. Idle ack latency -------------------------------------------------------------------

const LATENCY_JOBS = 50;
const LATENCY_WARMUP = 5;
const LATENCY_GAP_MS = 5;

/**
 * One job at a time to an idle Worker: from `performance.now()` as its handler returns to the
 * ack request reaching the stub. The stub runs in this process so both clocks are the same.
 */
async function idleAckLatency(format: Format, fetch?: typeof globalThis.fetch): Promise<number[]> {
  const stub = await startStub();
  const latencies: number[] = [];
  let handlerEnd = 0;
  let acked: (() => void) | undefined;
  stub.onAck = (at) => {
    latencies.push(at - handlerEnd);
    acked?.();
  };
  const router = new Router().route(Noop, async () => {
    handlerEnd = performance.now();
  });
  const worker = new Worker({ client: new Client({ url: stub.url, format, fetch }), router, concurrency: 128, prefetch: 256 });
  const stop = new AbortController();
  const running = worker.run(stop.signal);
  try {
    for (let i = 0; i < LATENCY_WARMUP + LATENCY_JOBS; i++) {
      const landed = new Promise<void>((resolve) => (acked = resolve));
      stub.add(1);
      await within(5_000, "an idle job's ack", landed);
      await sleep(LATENCY_GAP_MS);
    }
  } finally {
    stop.abort();
    await within(10_000, "the worker's stop", running);
    await stub.close();
  }
  return latencies.slice(LATENCY_WARMUP);
}

/** The floor under those figures: a bare `fetch` of a bulk ack, from the call to its arrival at the stub. */
async function fetchLatency(): Promise<number[]> {
  const stub = await startStub();
  const latencies: number[] = [];
  let sent = 0;
  stub.onAck = (at) => void latencies.push(at - sent);
  try {
    for (let i = 0; i < LATENCY_WARMUP + LATENCY_JOBS; i++) {
      sent = performance.now();
      // An id the stub never handed out: a 422, which costs the stub no more than a 204.
      const response = await fetch(`${stub.url}/jobs/success`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ ids: ["0unknown"] }) });
      await response.arrayBuffer();
      await sleep(LATENCY_GAP_MS);
    }
  } finally {
    await stub.close();
  }
  return latencies.slice(LATENCY_WARMUP);
}

async function idleAcks(): Promise<void> {
  const row = (name: string, latencies: number[]) => [name, median(latencies).toFixed(3), Math.max(...latencies).toFixed(3)];
  const rows = [row("bare fetch POST /jobs/success (floor)", await fetchLatency())];
  let worst = 0;
  const fast = nodeFetch();
  try {
    for (const format of FORMATS) {
      for (const [name, fetch] of [["fetch", undefined], ["nodeFetch", fast]] as const) {
        const latencies = await idleAckLatency(format, fetch);
        worst = Math.max(worst, median(latencies));
        rows.push(row(`Worker ${format} (${name}), handler return -> ack`, latencies));
      }
    }
  } finally {
    await fast.close();
  }
  console.log(`\nidle ack latency: ${LATENCY_JOBS} single jobs ${LATENCY_GAP_MS} ms apart, until the ack request reaches the stub (in-process)`);
  printTable(["", "median ms", "max ms"], rows);
  target("a single job's ack sent within 1 ms of its handler finishing (median)", worst < 1, `${worst.toFixed(3)} ms`);
}

export async function run(): Promise<void> {
  console.log(`node ${process.version}, ${availableParallelism()} cores`);
  decoders();
  await stubRuns();
  await testServerRuns();
  await idleAcks();
  if (misses.length > 0) {
    console.log(`\nmissed: ${misses.join("; ")}`);
    process.exitCode = 1;
  }
}
