/**
 * `npm run bench -- otel`: what instrumentation costs the Worker. The Worker with no-op handlers
 * against the loopback stub (bench/worker-stub.ts, its own process) three ways: without an
 * instrumentation; with `zizqOtel()` and no SDK (the API's no-op tracer and meter, what a
 * library user gets before configuring OpenTelemetry); and with `zizqOtel()` on the SDK (a
 * batching span processor and a meter provider, exporting nowhere). The three take turns in
 * each round, so drift on a shared machine hits them alike; the ratios are medians of per-round
 * ratios to the uninstrumented Worker. The client's CPU per job (this process) drifts less than
 * jobs/s on a busy machine, where the stub's process competes for the same two cores.
 */
import type { ExportResult } from "@opentelemetry/core";
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { Client, Router, Worker, type WorkerInstrumentation } from "../src/index.ts";
import { zizqOtel } from "../src/otel/index.ts";
import { startServer } from "./children.ts";
import { againstStub, type Measured, median, Noop, RUN_LIMIT_MS, WARMUP_JOBS } from "./worker-loops.ts";

const CELLS: [number, number, number][] = [
  [10, 20, 30_000],
  [128, 256, 100_000],
];
const ROUNDS = 5;
const SUCCESS: ExportResult = { code: 0 };

/** Exporters that drop what they are given: the SDK's own cost, no I/O. */
const spanSink: SpanExporter = { export: (_spans, done) => done(SUCCESS), shutdown: async () => {} };
const metricSink: PushMetricExporter = { export: (_metrics, done) => done(SUCCESS), shutdown: async () => {}, forceFlush: async () => {} };

function sdkInstrumentation(): { instrumentation: WorkerInstrumentation; shutdown: () => Promise<void> } {
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(spanSink)] });
  const meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: metricSink, exportIntervalMillis: 1_000 })] });
  return {
    instrumentation: zizqOtel({ tracerProvider, meterProvider }),
    shutdown: async () => {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

export async function run(): Promise<void> {
  const stub = await startServer("bench/worker-stub.ts");
  const sdk = sdkInstrumentation();
  const modes: Record<string, WorkerInstrumentation | undefined> = { off: undefined, "no-op API": zizqOtel(), SDK: sdk.instrumentation };
  const client = new Client({ url: stub.url });
  const once = (instrumentation: WorkerInstrumentation | undefined, concurrency: number, prefetch: number, jobs: number) => async () => {
    const worker = new Worker({ client, router: new Router().route(Noop, async () => {}), concurrency, prefetch, instrumentation });
    const summary = await worker.drain({ maxJobs: jobs, maxDuration: RUN_LIMIT_MS, maxIdle: 2_000 });
    if (summary.completed !== jobs) throw new Error(`the worker completed ${summary.completed} of ${jobs} jobs (${summary.reason})`);
  };
  try {
    for (const instrumentation of Object.values(modes)) await againstStub(stub.url, WARMUP_JOBS, once(instrumentation, 128, 256, WARMUP_JOBS));
    console.log("| concurrency / prefetch | mode | jobs/s (median) | of off (median ratio) | client µs/job | of off (median ratio) |");
    console.log("|:--|:--|--:|--:|--:|--:|");
    for (const [concurrency, prefetch, jobs] of CELLS) {
      const runs = Object.fromEntries(Object.keys(modes).map((name) => [name, [] as Measured[]]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, instrumentation] of Object.entries(modes)) runs[name]!.push(await againstStub(stub.url, jobs, once(instrumentation, concurrency, prefetch, jobs)));
      }
      const base = runs.off!;
      for (const [name, measured] of Object.entries(runs)) {
        const ratio = (figure: (m: Measured) => number) => `${Math.round(median(measured.map((m, round) => figure(m) / (base[round] ? figure(base[round]) : Number.NaN))) * 100)}%`;
        const rate = Math.round(median(measured.map((m) => m.jobsPerSecond))).toLocaleString("en");
        const cpu = median(measured.map((m) => m.clientUsPerJob)).toFixed(1);
        console.log(`| ${concurrency} / ${prefetch} | ${name} | ${rate} | ${ratio((m) => m.jobsPerSecond)} | ${cpu} | ${ratio((m) => m.clientUsPerJob)} |`);
      }
    }
  } finally {
    await sdk.shutdown();
    await stub.close();
  }
}
