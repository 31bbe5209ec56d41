/**
 * Faults of an instrumentation never cost a job: a `process` that throws or rejects fails the job
 * with its error (nacked, retried), a carrier the propagator cannot read leaves the job to run
 * without a parent, an `inject` that throws ends its spans; bad options are refused by name.
 */
import { type DiagLogger, diag, DiagLogLevel, SpanStatusCode } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { Client, defineJob, type Instrumentation, Router, Worker, ZizqArgumentError } from "../../../src/index.ts";
import { zizqOtel } from "../../../src/otel/index.ts";
import { createPushHandler, generateSecret } from "../../../src/push/index.ts";
import { createTestServer } from "../../../src/testing/index.ts";
import { testSdk, type TestSdk } from "../../support/otel-sdk.ts";

const Task = defineJob<{ n: number }>({ type: "task", queue: "tasks" });

let sdk: TestSdk | undefined;
afterEach(async () => {
  diag.disable();
  await sdk?.shutdown();
  sdk = undefined;
});

function setup() {
  const server = createTestServer();
  const client = new Client({ url: "http://zizq.test", fetch: server.fetch });
  const lines: [string, string, unknown][] = [];
  const logger = Object.fromEntries(["debug", "info", "warn", "error"].map((level) => [level, (message: string, details?: unknown) => void lines.push([level, message, details])]));
  return { client, lines, logger: logger as unknown as Console };
}

async function runOne(instrumentation: Instrumentation, payload: object = { n: 1 }) {
  const { client, lines, logger } = setup();
  const { id } = await client.enqueueRaw({ type: "task", queue: "tasks", payload });
  let ran = 0;
  const worker = new Worker({ client, router: new Router().route(Task, () => void ran++), instrumentation, logger });
  const summary = await worker.drain({ maxJobs: 1, maxIdle: "1s" });
  return { client, id, ran, summary, lines };
}

describe("an instrumentation that fails", () => {
  for (const [name, process] of [
    ["throws", () => { throw new Error("instrumentation bug"); }],
    ["rejects", async () => { throw new Error("instrumentation bug"); }],
  ] as const) {
    it(`fails the job with its error when its process ${name}: nacked and logged with the job's fields, not lost`, async () => {
      const { client, id, ran, summary, lines } = await runOne({ process });
      expect(ran).toBe(0);
      expect(summary).toMatchObject({ completed: 0, failed: 1 });
      const job = await client.getJob(id);
      expect(job.attempts).toBe(1);
      expect((await client.getError(id, 1)).message).toBe("instrumentation bug");
      expect(lines).toEqual([["error", `the instrumentation's process failed; failing job ${id}`, expect.objectContaining({ jobId: id, jobType: "task", queue: "tasks", attempt: 1, error: expect.any(Error) })]]);
    });
  }

  it("fails the job, running its handler once, when its process runs the job but answers something else", async () => {
    const process = ((job, run) => {
      void run(job);
    }) as NonNullable<Instrumentation["process"]>;
    const { client, id, ran, summary, lines } = await runOne({ process });
    expect(ran).toBe(1);
    expect(summary).toMatchObject({ completed: 0, failed: 1 });
    expect((await client.getError(id, 1)).message).toBe("the instrumentation's process answered undefined, not the outcome its run gave");
    expect(lines.map(([level, message]) => [level, message])).toEqual([["error", `the instrumentation's process failed; failing job ${id}`]]);
  });

  it("a push endpoint fails the job the same way instead of answering internal_error", async () => {
    const { lines, logger } = setup();
    const push = createPushHandler({
      router: new Router().route(Task, () => {}),
      secrets: [generateSecret()],
      dangerouslySkipVerification: true,
      logger,
      instrumentation: { process: () => Promise.reject(new Error("instrumentation bug")) },
    });
    const body = JSON.stringify({ id: "j1", type: "task", queue: "tasks", priority: 0, status: "in_flight", ready_at: 0, attempts: 0, payload: { n: 1 } });
    const response = await push(new Request("http://endpoint.test/zizq", { method: "POST", body, headers: { "content-type": "application/json" } }));
    // A failed job's answer (Zizq retries the delivery), not "internal_error".
    expect(await response.json()).toMatchObject({ id: "j1", outcome: "failed", error: "instrumentation bug" });
    expect(lines.map(([level, message]) => [level, message])).toContainEqual(["error", "the instrumentation's process failed; failing job j1"]);
  });
});

describe("zizqOtel with a propagator that cannot read a carrier", () => {
  it("runs the job without a parent and warns once through diag", async () => {
    sdk = testSdk();
    const warned: unknown[][] = [];
    const silent = () => {};
    diag.setLogger({ warn: (...args: unknown[]) => void warned.push(args), error: silent, info: silent, debug: silent, verbose: silent } as DiagLogger, DiagLogLevel.WARN);
    const propagator = { inject() {}, extract(): never { throw new Error("bad carrier"); }, fields: () => ["traceparent"] };
    const otel = zizqOtel({ tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider, propagator });
    const { client, lines, logger } = setup();
    for (const n of [1, 2]) await client.enqueueRaw({ type: "task", queue: "tasks", payload: { n, _zizq_trace: { traceparent: "garbage" } } });
    const seen: unknown[] = [];
    const worker = new Worker({ client, router: new Router().route(Task, (payload) => void seen.push(payload)), instrumentation: otel, logger });
    expect(await worker.drain({ maxJobs: 2, maxIdle: "1s" })).toMatchObject({ completed: 2 });
    expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
    expect(lines).toEqual([]);
    expect(warned).toHaveLength(1);
    expect(String(warned[0]![0])).toContain("trace carrier could not be read");
    const spans = sdk.spans().filter((span) => span.name === "process tasks");
    expect(spans).toHaveLength(2);
    for (const span of spans) expect(span.parentSpanContext).toBeUndefined();
  });

  it("ends the enqueue's spans with the error when inject throws, and the enqueue rejects", async () => {
    sdk = testSdk();
    const propagator = { inject(): never { throw new Error("cannot inject"); }, extract: (ctx: never) => ctx, fields: () => [] };
    const otel = zizqOtel({ tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider, propagator, propagate: true });
    const server = createTestServer();
    const client = new Client({ url: "http://zizq.test", fetch: server.fetch, instrumentation: otel });
    await expect(client.enqueue(Task, { n: 1 })).rejects.toThrow("cannot inject");
    await expect(client.enqueueBulk([Task.with({ n: 1 }), Task.with({ n: 2 })])).rejects.toThrow("cannot inject");
    const spans = sdk.spans();
    expect(spans.map((span) => span.name).sort()).toEqual(["create tasks", "create tasks", "send tasks", "send tasks"]);
    for (const span of spans) expect(span.status).toMatchObject({ code: SpanStatusCode.ERROR, message: "cannot inject" });
  });
});

describe("instrumentation options", () => {
  const { client } = setup();
  const router = new Router();
  it.each([
    ["process", { process: 5 }],
    ["enqueue", { enqueue: "x" }],
    ["logFields", { logFields: {} }],
    ["worker", { worker: true }],
  ])("a Worker refuses a bad instrumentation.%s", (member, instrumentation) => {
    expect(() => new Worker({ client, router, instrumentation: instrumentation as never })).toThrow(`instrumentation.${member}: expected a function`);
  });

  it("a Client and a push endpoint name the member too", () => {
    const bad = (build: () => unknown) => {
      try {
        build();
      } catch (error) {
        return error instanceof ZizqArgumentError ? error.field : error;
      }
    };
    expect(bad(() => new Client({ url: "http://zizq.test", instrumentation: { enqueue: 1 } as never }))).toBe("instrumentation.enqueue");
    expect(bad(() => createPushHandler({ router, secrets: [generateSecret()], instrumentation: { process: null } as never }))).toBe("instrumentation.process");
  });

  it.each([
    ["tracerProvider.getTracer", { tracerProvider: {} }],
    ["meterProvider.getMeter", { meterProvider: { getMeter: 1 } }],
    ["propagator.inject", { propagator: { extract() {} } }],
    ["propagator.extract", { propagator: { inject() {} } }],
    ["propagator", { propagator: "w3c" }],
  ])("zizqOtel refuses a bad %s", (field, options) => {
    let caught: unknown;
    try {
      zizqOtel(options as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ZizqArgumentError);
    expect((caught as ZizqArgumentError).field).toBe(field);
  });
});
