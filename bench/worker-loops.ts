/**
 * The runs of `npm run bench -- worker` that any runtime can make against the stub (fetch and the
 * core only): the Worker with no-op handlers, DESIGN §7's bare fetch loop, and a run's figures.
 * bench/worker.ts runs them on Node; bench/worker-runtime.ts on Bun and Deno.
 */
import { type Client, defineJob, Router, Worker, type WorkerOptions } from "../src/index.ts";
import { windowPipelineAt } from "../src/worker/worker-options.ts";

const Noop = defineJob({ type: "noop", queue: "default" });
export const JSON_HEADERS = { "content-type": "application/json" };
/** A drain's `maxDuration`; no run here should take a tenth of it. */
export const RUN_LIMIT_MS = 60_000;

/** Concurrency, prefetch (2 × concurrency, the default) and jobs per run. */
export const STUB_CELLS: [number, number, number][] = [
  [1, 2, 4_000],
  [10, 20, 30_000],
  [25, 50, 40_000],
  [128, 256, 100_000],
];
export const STUB_ROUNDS = 5;
export const WARMUP_JOBS = 20_000;
export const FORMATS = ["json", "msgpack"] as const;

export interface Measured {
  jobsPerSecond: number;
  acksPer1000: number;
  clientUsPerJob: number;
  stubUsPerJob: number;
}

interface StubCounters {
  bulkAcks: number;
  singleAcks: number;
  idsAcked: number;
  cpuUs: number;
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export const medianOf = (runs: Measured[]): Measured => ({
  jobsPerSecond: median(runs.map((m) => m.jobsPerSecond)),
  acksPer1000: median(runs.map((m) => m.acksPer1000)),
  clientUsPerJob: median(runs.map((m) => m.clientUsPerJob)),
  stubUsPerJob: median(runs.map((m) => m.stubUsPerJob)),
});

/** A run that never ends fails the bench instead of hanging it. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not end within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** This process's CPU time in µs, where the runtime tells (Node, Bun and Deno all do). */
function cpuNow(): number {
  const usage = (globalThis as { process?: { cpuUsage(): { user: number; system: number } } }).process?.cpuUsage();
  return usage === undefined ? Number.NaN : usage.user + usage.system;
}

/** Runs `body` over a fresh budget of `jobs` from the stub at `url` and reads the figures; the stub must have seen every ack. */
export async function againstStub(url: string, jobs: number, body: () => Promise<void>): Promise<Measured> {
  const reset = await fetch(`${url}/bench/reset`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ jobs }) });
  if (reset.status !== 204) throw new Error(`stub reset: ${reset.status}`);
  const cpu = cpuNow();
  const started = performance.now();
  await within(RUN_LIMIT_MS + 10_000, "a run against the stub", body());
  const seconds = (performance.now() - started) / 1000;
  const used = cpuNow() - cpu;
  const counters = (await (await fetch(`${url}/bench/stats`)).json()) as StubCounters;
  if (counters.idsAcked !== jobs) throw new Error(`the stub saw ${counters.idsAcked} of ${jobs} jobs acked`);
  return {
    jobsPerSecond: jobs / seconds,
    acksPer1000: ((counters.bulkAcks + counters.singleAcks) / jobs) * 1000,
    clientUsPerJob: used / jobs,
    stubUsPerJob: counters.cpuUs / jobs,
  };
}

/**
 * DESIGN §7's yardstick, about 40 lines: global fetch streaming NDJSON, JSON.parse per line, a
 * no-op async handler, bulk acks with one request in flight (ids that arrive meanwhile ride the next).
 */
export async function bareLoop(url: string, prefetch: number, jobs: number): Promise<void> {
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

/** The Worker's `acks` that pipeline as a nodeClient Worker's do by default, over any client. */
export const pipelinedAcks = (prefetch: number) => ({ pipelineAt: windowPipelineAt(prefetch) });

/** The Worker with one no-op route drains `jobs`; `hooks` and `acks` are the Worker's. */
export async function runWorker(client: Client, concurrency: number, prefetch: number, jobs: number, hooks = {}, acks?: WorkerOptions["acks"]): Promise<void> {
  const router = new Router().route(Noop, async () => {});
  const worker = new Worker({ client, router, concurrency, prefetch, hooks, acks });
  const summary = await worker.drain({ maxJobs: jobs, maxDuration: RUN_LIMIT_MS, maxIdle: 2_000 });
  if (summary.completed !== jobs) throw new Error(`the worker completed ${summary.completed} of ${jobs} jobs (${summary.reason})`);
}

export { Noop };
