/**
 * `npm run bench -- worker`: the Worker with no-op handlers, and what it is measured against.
 *
 * 1. Decoders: take-stream frame transformers over 64 KiB chunks next to `JSON.parse` (and
 *    MessagePack `decode`) of the same frames one by one.
 * 2. Against a loopback stub (bench/worker-stub.ts, in its own process so the client's CPU
 *    figures are its own): the Worker in JSON and MessagePack at concurrency 1, 16 and 128,
 *    next to DESIGN §7's bare loop at the same prefetch, and the ratio between them.
 * 3. Against the in-process test server (the same process, so CPU covers both sides).
 * 4. Idle ack latency: one job at a time, from its handler returning to the ack reaching the stub.
 *
 * jobs/s is wall time from start to the last ack; CPU is `process.cpuUsage()` (user + system).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { availableParallelism } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { Decoder, decode } from "@msgpack/msgpack";
import { Client, defineJob, type Format, Router, Worker } from "../src/index.ts";
import { MsgpackFrameTransformer } from "../src/stream/msgpack.ts";
import { NdjsonFrameTransformer } from "../src/stream/ndjson.ts";
import type { FrameSink, FrameTransformer } from "../src/stream/options.ts";
import { createTestServer } from "../src/testing/index.ts";
import { encodeFrames, startStub, type StubCounters } from "./worker-stub.ts";

const Noop = defineJob({ type: "noop", queue: "default" });
const JSON_HEADERS = { "content-type": "application/json" };
/** A drain's `maxDuration`; no run here should take a tenth of it. */
const RUN_LIMIT_MS = 60_000;

const fmt = (n: number) => Math.round(n).toLocaleString("en");
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const pct = (ratio: number) => `${Math.round(ratio * 100)}%`;
/** Targets missed, printed at the end; a miss sets the exit code. */
const misses: string[] = [];

function target(label: string, ok: boolean, detail: string): void {
  console.log(`  ${(ok ? "ok" : "MISSED").padEnd(6)} ${label}: ${detail}`);
  if (!ok) misses.push(label);
}

/** A run that never ends fails the bench instead of hanging it. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not end within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
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
    transformer: () => transformAll(new MsgpackFrameTransformer(), msgpackChunks),
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
      row("MsgpackFrameTransformer, 64 KiB chunks", mp.transformer, msgpackBytes),
    ],
  );
  target("NDJSON decoding >= 70% of JSON.parse alone", json.transformer.share >= 0.7, pct(json.transformer.share));
}

// ---- 2. Against the stub -------------------------------------------------------------------

/** The stub in its own process, driven through its /bench endpoints. */
interface RemoteStub {
  url: string;
  reset(jobs: number): Promise<void>;
  stats(): Promise<StubCounters>;
  close(): Promise<void>;
}

async function spawnStub(): Promise<RemoteStub> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/worker-stub.ts"], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  let url: string | undefined;
  for await (const chunk of child.stdout ?? []) {
    output += String(chunk);
    url = /Listening on (http:\/\/\S+)/.exec(output)?.[1];
    if (url) break;
  }
  if (!url) throw new Error(`the stub did not start: ${output}`);
  const base = url;
  return {
    url: base,
    async reset(jobs) {
      const response = await fetch(`${base}/bench/reset`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ jobs }) });
      if (response.status !== 204) throw new Error(`stub reset: ${response.status}`);
    },
    stats: () => fetch(`${base}/bench/stats`).then((response) => response.json() as Promise<StubCounters>),
    async close() {
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

/**
 * DESIGN §7's yardstick, about 40 lines: global fetch streaming NDJSON, JSON.parse per line, a
 * no-op async handler, bulk acks with one request in flight (ids that arrive meanwhile ride the next).
 */
async function bareLoop(url: string, prefetch: number, jobs: number): Promise<void> {
  const stream = new AbortController();
  const take = await fetch(`${url}/jobs/take?prefetch=${prefetch}`, { headers: { accept: "application/x-ndjson" }, signal: stream.signal });
  const reader = (take.body as ReadableStream<Uint8Array>).getReader();
  const text = new TextDecoder();
  const handler = async (_job: unknown) => {};
  let pending: string[] = [];
  let inFlight: Promise<void> | undefined;
  const sendAcks = (): void => {
    if (inFlight !== undefined || pending.length === 0) return;
    const ids = pending;
    pending = [];
    inFlight = fetch(`${url}/jobs/success`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ ids }) }).then(async (response) => {
      await response.arrayBuffer();
      if (response.status !== 204) throw new Error(`bulk ack: ${response.status}`);
      inFlight = undefined;
      sendAcks();
    });
  };
  let carry = "";
  for (let handled = 0; handled < jobs; ) {
    const { value, done } = await reader.read();
    if (done) throw new Error("take stream ended");
    const lines = (carry + text.decode(value, { stream: true })).split("\n");
    carry = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "") continue;
      const job = JSON.parse(line) as { id: string };
      await handler(job);
      pending.push(job.id);
      handled++;
    }
    sendAcks();
  }
  while (inFlight !== undefined) await inFlight;
  stream.abort();
}

async function runWorker(client: Client, concurrency: number, prefetch: number, jobs: number, hooks = {}): Promise<void> {
  const router = new Router().route(Noop, async () => {});
  const worker = new Worker({ client, router, concurrency, prefetch, hooks });
  const summary = await worker.drain({ maxJobs: jobs, maxDuration: RUN_LIMIT_MS, maxIdle: 2_000 });
  if (summary.completed !== jobs) throw new Error(`the worker completed ${summary.completed} of ${jobs} jobs (${summary.reason})`);
}

interface Measured {
  jobsPerSecond: number;
  acksPer1000: number;
  clientUsPerJob: number;
  stubUsPerJob: number;
}

/** Runs `body` over a fresh budget of `jobs` and reads the figures; the stub must have seen every ack. */
async function againstStub(stub: RemoteStub, jobs: number, body: () => Promise<void>): Promise<Measured> {
  await stub.reset(jobs);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await within(RUN_LIMIT_MS + 10_000, "a run against the stub", body());
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const counters = await stub.stats();
  if (counters.idsAcked !== jobs) throw new Error(`the stub saw ${counters.idsAcked} of ${jobs} jobs acked`);
  return {
    jobsPerSecond: jobs / seconds,
    acksPer1000: ((counters.bulkAcks + counters.singleAcks) / jobs) * 1000,
    clientUsPerJob: (used.user + used.system) / jobs,
    stubUsPerJob: counters.cpuUs / jobs,
  };
}

const medianOf = (runs: Measured[]): Measured => ({
  jobsPerSecond: median(runs.map((m) => m.jobsPerSecond)),
  acksPer1000: median(runs.map((m) => m.acksPer1000)),
  clientUsPerJob: median(runs.map((m) => m.clientUsPerJob)),
  stubUsPerJob: median(runs.map((m) => m.stubUsPerJob)),
});

/** Concurrency, prefetch and jobs per run: 2 × concurrency everywhere (the default), and more windows at 128. */
const STUB_CELLS: [number, number, number][] = [
  [1, 2, 4_000],
  [16, 32, 60_000],
  [128, 128, 100_000],
  [128, 256, 100_000],
  [128, 512, 100_000],
  [128, 1024, 100_000],
];
const STUB_ROUNDS = 3;
const WARMUP_JOBS = 20_000;
const FORMATS = ["json", "msgpack"] as const;

async function stubRuns(): Promise<void> {
  const stub = await spawnStub();
  try {
    const clients = { json: new Client({ url: stub.url, format: "json" }), msgpack: new Client({ url: stub.url, format: "msgpack" }) };
    for (const format of FORMATS) await againstStub(stub, WARMUP_JOBS, () => runWorker(clients[format], 128, 256, WARMUP_JOBS));
    await againstStub(stub, WARMUP_JOBS, () => bareLoop(stub.url, 256, WARMUP_JOBS));

    const rows: (string | number)[][] = [];
    const cell = (m: Measured) => [m.jobsPerSecond, m.acksPer1000.toFixed(1), m.clientUsPerJob.toFixed(1), m.stubUsPerJob.toFixed(1)];
    let headline: { worker: Measured; ofBare: number } | undefined;
    const ratios: string[] = [];
    for (const [concurrency, prefetch, jobs] of STUB_CELLS) {
      const runs = { bare: [] as Measured[], json: [] as Measured[], msgpack: [] as Measured[] };
      // The contenders take turns, so drift on a shared machine hits the Worker and its yardstick alike.
      for (let round = 0; round < STUB_ROUNDS; round++) {
        runs.bare.push(await againstStub(stub, jobs, () => bareLoop(stub.url, prefetch, jobs)));
        for (const format of FORMATS) runs[format].push(await againstStub(stub, jobs, () => runWorker(clients[format], concurrency, prefetch, jobs)));
      }
      rows.push(["bare loop (ndjson)", "-", prefetch, jobs, ...cell(medianOf(runs.bare)), ""]);
      for (const format of FORMATS) {
        const worker = medianOf(runs[format]);
        const ofBare = median(runs[format].map((m, round) => m.jobsPerSecond / (runs.bare[round]?.jobsPerSecond ?? Number.NaN)));
        rows.push([`Worker ${format}`, concurrency, prefetch, jobs, ...cell(worker), pct(ofBare)]);
        if (format === "json") ratios.push(`${pct(ofBare)} at prefetch ${prefetch}`);
        if (format === "json" && concurrency === 128 && prefetch === 256) headline = { worker, ofBare };
      }
    }
    console.log(
      `\nno-op handlers against the loopback stub (own process); median of ${STUB_ROUNDS} interleaved rounds; client CPU is this process, stub CPU the stub's`,
    );
    printTable(
      ["client", "concurrency", "prefetch", "jobs/run", "jobs/s", "ack req / 1k jobs", "client CPU µs/job", "stub CPU µs/job", "of bare loop"],
      rows,
    );
    if (headline) {
      const { worker, ofBare } = headline;
      target("Worker JSON at concurrency 128 (prefetch 256) >= 30,000 jobs/s", worker.jobsPerSecond >= 30_000, `${fmt(worker.jobsPerSecond)} jobs/s`);
      target("ack requests per 1,000 jobs at that load <= 15", worker.acksPer1000 <= 15, worker.acksPer1000.toFixed(1));
      target("Worker JSON >= 70% of the bare loop at the default prefetch (256)", ofBare >= 0.7, `${pct(ofBare)}; ${ratios.join(", ")}`);
    }
  } finally {
    await stub.close();
  }
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
async function idleAckLatency(format: Format): Promise<number[]> {
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
  const worker = new Worker({ client: new Client({ url: stub.url, format }), router, concurrency: 128, prefetch: 256 });
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
  for (const format of FORMATS) {
    const latencies = await idleAckLatency(format);
    worst = Math.max(worst, median(latencies));
    rows.push(row(`Worker ${format}, handler return -> ack`, latencies));
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
