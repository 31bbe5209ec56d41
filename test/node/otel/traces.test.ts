/**
 * zizq-edge/otel against the OpenTelemetry SDK's in-memory exporters: one trace from an enqueue
 * by one Client to the processing by a Worker on another (two SDKs, as two processes have), over
 * the test server on a real port; errors on spans; bulk enqueues; batch folds linking producers.
 */
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import * as v from "valibot";
import { afterEach, describe, expect, it } from "vitest";
import { Client, collectBatch, defineJob, type Job, NonRetryableError, Router, Worker } from "../../../src/index.ts";
import { zizqOtel, type ZizqOtelOptions } from "../../../src/otel/index.ts";
import { testSdk, type TestSdk } from "../../support/otel-sdk.ts";
import { type Served, serveTestServer } from "../worker/harness.ts";

const quiet = { warn() {}, error() {}, info() {}, debug() {} };
const Email = defineJob({ type: "send_email", queue: "emails", schema: v.strictObject({ to: v.string() }) });

let served: Served | undefined;
const sdks: TestSdk[] = [];
afterEach(async () => {
  await served?.close();
  served = undefined;
  for (const sdk of sdks.splice(0)) await sdk.shutdown();
});

/** A process: its own SDK, and a Client of the test server instrumented with it. */
function process_(url: string, propagate: ZizqOtelOptions["propagate"] = false, traceField?: string) {
  const sdk = testSdk();
  sdks.push(sdk);
  const otel = zizqOtel({ tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider, propagator: sdk.propagator, propagate, ...(traceField ? { traceField } : {}) });
  return { sdk, otel, client: new Client({ url, instrumentation: otel }) };
}

async function drain(consumer: ReturnType<typeof process_>, router: Router, maxJobs: number) {
  const worker = new Worker({ client: consumer.client, router, instrumentation: consumer.otel, logger: quiet });
  return worker.drain({ maxJobs, maxIdle: "1s" });
}

const byName = (spans: ReadableSpan[], name: string) => spans.filter((span) => span.name === name);

describe("zizq-edge/otel traces", () => {
  it("one trace spans the enqueue in one process and the job's processing in another, with the messaging attributes", async () => {
    served = await serveTestServer();
    const producer = process_(served.url, true);
    const consumer = process_(served.url);
    const enqueued = await producer.client.enqueue(Email, { to: "a@example.com" });
    const seen: unknown[] = [];
    const summary = await drain(consumer, new Router().route(Email, (payload) => void seen.push(payload)), 1);
    expect(summary.completed).toBe(1);
    // The strict schema and the handler never saw the carrier.
    expect(seen).toEqual([{ to: "a@example.com" }]);
    // The server holds it, though: that is how it travelled.
    const stored = await served.admin.getJob<Record<string, unknown>>(enqueued.id);
    expect(Object.keys(stored.payload).sort()).toEqual(["_zizq_trace", "to"]);
    expect(stored.payload._zizq_trace).toEqual({ traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/) });

    const [send] = producer.sdk.spans();
    expect(producer.sdk.spans()).toHaveLength(1);
    expect(send!.name).toBe("send emails");
    expect(send!.kind).toBe(SpanKind.PRODUCER);
    expect(send!.attributes).toEqual({
      "messaging.system": "zizq",
      "messaging.system.name": "zizq",
      "messaging.operation.name": "send",
      "messaging.operation.type": "send",
      "messaging.destination.name": "emails",
      "messaging.message.id": enqueued.id,
      "zizq.job.type": "send_email",
      "zizq.job.duplicate": false,
      "zizq.job.folded": false,
    });
    const [processed] = byName(consumer.sdk.spans(), "process emails");
    expect(processed!.kind).toBe(SpanKind.CONSUMER);
    expect(processed!.spanContext().traceId).toBe(send!.spanContext().traceId);
    expect(processed!.parentSpanContext?.spanId).toBe(send!.spanContext().spanId);
    expect(processed!.attributes).toEqual({
      "messaging.system": "zizq",
      "messaging.system.name": "zizq",
      "messaging.operation.name": "process",
      "messaging.operation.type": "process",
      "messaging.destination.name": "emails",
      "messaging.message.id": enqueued.id,
      "zizq.job.type": "send_email",
      "zizq.job.attempt": 1,
      "zizq.job.outcome": "completed",
    });
    expect(processed!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("records a handler's error on its span: retried as failed, NonRetryableError as killed", async () => {
    served = await serveTestServer();
    const producer = process_(served.url, true);
    const consumer = process_(served.url);
    await producer.client.enqueue(Email, { to: "retry@example.com" });
    await producer.client.enqueue(Email, { to: "kill@example.com" });
    const router = new Router().route(Email, ({ to }) => {
      throw to.startsWith("kill") ? new NonRetryableError("bounced for good") : new TypeError("smtp down");
    });
    await drain(consumer, router, 2);
    const spans = byName(consumer.sdk.spans(), "process emails");
    expect(spans.map((span) => [span.attributes["zizq.job.outcome"], span.attributes["error.type"], span.status])).toEqual([
      ["failed", "TypeError", { code: SpanStatusCode.ERROR, message: "smtp down" }],
      ["killed", "NonRetryableError", { code: SpanStatusCode.ERROR, message: "bounced for good" }],
    ]);
    for (const span of spans) expect(span.events.map((event) => event.name)).toEqual(["exception"]);
    expect(spans[0]!.events[0]!.attributes?.["exception.message"]).toBe("smtp down");
  });

  it("bulk: a create span per job (its carrier), a send span linking them; each job's processing continues its create span", async () => {
    served = await serveTestServer();
    const producer = process_(served.url, true);
    const consumer = process_(served.url);
    const jobs = await producer.client.enqueueBulk([Email.with({ to: "a@example.com" }), Email.with({ to: "b@example.com" })]);
    await drain(consumer, new Router().route(Email, () => {}), 2);
    const creates = byName(producer.sdk.spans(), "create emails");
    const [send] = byName(producer.sdk.spans(), "send emails");
    expect(creates.map((span) => [span.kind, span.attributes["messaging.operation.type"], span.attributes["messaging.message.id"]])).toEqual(
      jobs.map((job) => [SpanKind.PRODUCER, "create", job.id]),
    );
    expect(send!.attributes["messaging.batch.message_count"]).toBe(2);
    expect(send!.links.map((link) => link.context.spanId)).toEqual(creates.map((span) => span.spanContext().spanId));
    const processed = byName(consumer.sdk.spans(), "process emails");
    const parentOf = new Map(processed.map((span) => [span.attributes["messaging.message.id"], span.parentSpanContext?.spanId]));
    for (const create of creates) expect(parentOf.get(create.attributes["messaging.message.id"] as string)).toBe(create.spanContext().spanId);
  });

  it("a batch folding several producers' jobs links their traces instead of taking one as parent", async () => {
    served = await serveTestServer({ license: "pro" });
    const Digest = defineJob<{ items: string[] }>({ type: "digest", queue: "mail", batch: collectBatch({ key: "digest", field: "items", max: 10 }) });
    const first = process_(served.url, [Digest.type]);
    const second = process_(served.url, [Digest]);
    await first.client.enqueue(Digest, { items: ["a"] });
    const folded = await second.client.enqueue(Digest, { items: ["b", "c"] });
    expect(folded.folded).toBe(true);
    const consumer = process_(served.url);
    const seen: Job<unknown>[] = [];
    await drain(consumer, new Router().route(Digest, (_payload, ctx) => void seen.push(ctx.job)), 1);
    expect(seen.map((job) => job.payload)).toEqual([{ items: ["a", "b", "c"] }]);
    const [processed] = byName(consumer.sdk.spans(), "process mail");
    const producers = [...first.sdk.spans(), ...second.sdk.spans()];
    expect(processed!.parentSpanContext).toBeUndefined();
    expect(processed!.links.map((link) => link.context.traceId)).toEqual(producers.map((span) => span.spanContext().traceId));
    expect(processed!.links.map((link) => link.context.spanId)).toEqual(producers.map((span) => span.spanContext().spanId));
  });

  it("carries the context under a renamed field, only for the job types listed", async () => {
    served = await serveTestServer();
    const Report = defineJob<{ id: number }>({ type: "report", queue: "emails" });
    const producer = process_(served.url, ["report"], "otel");
    const plain = await producer.client.enqueue(Email, { to: "a@example.com" });
    const traced = await producer.client.enqueue(Report, { id: 1 });
    expect((await served.admin.getJob(plain.id)).payload).toEqual({ to: "a@example.com" });
    expect(Object.keys((await served.admin.getJob<object>(traced.id)).payload).sort()).toEqual(["id", "otel"]);
    const consumer = process_(served.url, false, "otel");
    const seen: unknown[] = [];
    await drain(consumer, new Router().route(Email, (p) => void seen.push(p)).route(Report, (p) => void seen.push(p)), 2);
    expect(seen).toHaveLength(2);
    expect(seen).toEqual(expect.arrayContaining([{ to: "a@example.com" }, { id: 1 }]));
  });
});
