/** zizq-edge/otel metrics, read through the SDK's in-memory metric exporter; and the log fields that join logs to traces. */
import type { Attributes, Meter } from "@opentelemetry/api";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { DataPoint, Histogram, MetricData } from "@opentelemetry/sdk-metrics";
import { afterEach, describe, expect, it } from "vitest";
import { Client, defineJob, NonRetryableError, Router, Worker } from "../../../src/index.ts";
import { zizqOtel } from "../../../src/otel/index.ts";
import { testSdk, type TestSdk } from "../../support/otel-sdk.ts";
import { type Served, serveTestServer } from "../worker/harness.ts";

const quiet = { warn() {}, error() {}, info() {}, debug() {} };
const Task = defineJob<{ mode: string }>({ type: "task", queue: "work" });

let served: Served | undefined;
let sdk: TestSdk | undefined;
afterEach(async () => {
  await served?.close();
  await sdk?.shutdown();
  served = sdk = undefined;
});

const points = (metric: MetricData | undefined) => (metric?.dataPoints ?? []) as DataPoint<unknown>[];
const sumWhere = (metric: MetricData | undefined, attributes: Record<string, unknown>) =>
  points(metric)
    .filter((point) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value))
    .reduce((total, point) => total + (typeof point.value === "number" ? point.value : (point.value as Histogram).count), 0);

describe("zizq-edge/otel metrics", () => {
  it("lets a Worker go: the gauges stop observing one that was collected (one made per invocation)", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    // The SDK's cumulative storage repeats a series' last value after it stops being observed, so
    // this meter records what the gauges' callbacks observe on each collection instead.
    const callbacks: ((result: { observe(value: number, attributes: Attributes): void }) => void)[] = [];
    const instrument = { add() {}, record() {}, addCallback: (callback: (typeof callbacks)[number]) => void callbacks.push(callback) };
    const meter = { createCounter: () => instrument, createHistogram: () => instrument, createObservableGauge: () => instrument };
    const otel = zizqOtel({ meterProvider: { getMeter: () => meter as unknown as Meter } });
    const observed = () => {
      const instances = new Set<unknown>();
      for (const callback of callbacks) callback({ observe: (_value, attributes) => void instances.add(attributes["zizq.worker.instance"]) });
      return [...instances];
    };
    const client = new Client({ url: "http://zizq.test" });
    const kept = new Worker({ client, router: new Router(), instrumentation: otel, logger: quiet });
    (() => void new Worker({ client, router: new Router(), instrumentation: otel, logger: quiet }))();
    expect(observed()).toEqual([1, 2]);
    // A WeakRef read in this turn holds its target until the turn ends: collect after it.
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    expect(observed()).toEqual([1]);
    expect(kept.stats().state).toBe("idle");
  });

  it("counts jobs by queue, type and outcome, times them, and measures acks, gauges and reconnects", async () => {
    served = await serveTestServer();
    sdk = testSdk();
    const otel = zizqOtel({ tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider });
    const client = new Client({ url: served.url, instrumentation: otel });
    await client.enqueueBulk([Task.with({ mode: "ok" }), Task.with({ mode: "ok" }), Task.with({ mode: "throw" }), Task.with({ mode: "kill" })]);
    const router = new Router().route(Task, ({ mode }) => {
      if (mode === "throw") throw new Error("again");
      if (mode === "kill") throw new NonRetryableError("never");
    });
    const worker = new Worker({ client, router, instrumentation: otel, logger: quiet });
    await worker.drain({ maxJobs: 4, maxIdle: "1s" });
    const metrics = await sdk.metrics();

    const job = { "messaging.destination.name": "work", "zizq.job.type": "task", "messaging.system": "zizq" };
    expect(sumWhere(metrics.get("messaging.client.sent.messages"), job)).toBe(4);
    expect(sumWhere(metrics.get("zizq.jobs.started"), job)).toBe(4);
    const finished = metrics.get("zizq.jobs.finished");
    expect(["completed", "failed", "killed"].map((outcome) => sumWhere(finished, { ...job, "zizq.job.outcome": outcome }))).toEqual([2, 1, 1]);
    const duration = metrics.get("messaging.process.duration");
    expect(duration?.descriptor.unit).toBe("s");
    expect(sumWhere(duration, job)).toBe(4);
    expect(sumWhere(duration, { ...job, "error.type": "NonRetryableError" })).toBe(1);
    // Two completed jobs, acked in one or two bulk requests.
    const batches = points(metrics.get("zizq.ack.batch_size")).map((point) => point.value as Histogram);
    expect(batches.reduce((total, h) => total + (h.sum ?? 0), 0)).toBe(2);
    expect(sumWhere(metrics.get("zizq.ack.duration"), { "messaging.operation.type": "settle" })).toBe(batches.reduce((n, h) => n + h.count, 0));
    // Read after the drain: nothing runs, nothing waits, no stream is open.
    for (const name of ["zizq.worker.jobs.running", "zizq.worker.jobs.buffered", "zizq.worker.acks.pending", "zizq.worker.connected"]) {
      expect(points(metrics.get(name)).map((point) => [point.attributes["zizq.worker.instance"], point.value]), name).toEqual([[1, 0]]);
    }
    expect(metrics.get("zizq.worker.reconnects")).toBeUndefined();
    // A second drain opens a second stream: a reconnect.
    await worker.drain({ maxIdle: "50ms" });
    expect(sumWhere((await sdk.metrics()).get("zizq.worker.reconnects"), {})).toBe(1);
  });

  it("settle spans time each bulk ack", async () => {
    served = await serveTestServer();
    sdk = testSdk();
    const otel = zizqOtel({ tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider });
    const client = new Client({ url: served.url });
    await client.enqueue(Task, { mode: "ok" });
    await new Worker({ client, router: new Router().route(Task, () => {}), instrumentation: otel, logger: quiet }).drain({ maxJobs: 1 });
    const [ack] = sdk.spans().filter((span) => span.name === "ack");
    expect(ack!.attributes).toMatchObject({ "messaging.operation.type": "settle", "messaging.operation.name": "ack", "messaging.batch.message_count": 1 });
  });
});

describe("log fields", () => {
  it("the worker's and ctx.log's lines about a job carry its id, type, queue, attempt and trace ids", async () => {
    served = await serveTestServer();
    sdk = testSdk();
    const otel = zizqOtel({ tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider });
    const client = new Client({ url: served.url });
    const { id } = await client.enqueue(Task, { mode: "ok" });
    const lines: [string, unknown][] = [];
    const logger = { ...quiet, info: (message: string, details?: unknown) => void lines.push([message, details]) };
    const router = new Router().route(Task, (_payload, ctx) => ctx.log.info("working", { step: 1 }));
    await new Worker({ client, router, instrumentation: otel, logger }).drain({ maxJobs: 1 });
    const span = sdk.spans().find((s) => s.name === "process work")!;
    expect(lines).toEqual([
      ["working", { jobId: id, jobType: "task", queue: "work", attempt: 1, trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId, step: 1 }],
    ]);
  });

  it("without an instrumentation, ctx.log still carries the job's fields", async () => {
    served = await serveTestServer();
    const client = new Client({ url: served.url });
    const { id } = await client.enqueue(Task, { mode: "ok" });
    const lines: unknown[] = [];
    const logger = { ...quiet, warn: (message: string, details?: unknown) => void lines.push([message, details]) };
    const router = new Router().route(Task, (_payload, ctx) => {
      ctx.log.warn("careful", new Error("x"));
      ctx.log.warn("plain");
    });
    await new Worker({ client, router, logger }).drain({ maxJobs: 1 });
    const fields = { jobId: id, jobType: "task", queue: "work", attempt: 1 };
    expect(lines).toEqual([["careful", { ...fields, error: new Error("x") }], ["plain", fields]]);
  });
});
