/**
 * zizq-edge/otel in any runtime, with a minimal tracer written here against `@opentelemetry/api`
 * (no SDK: workerd, Bun and Deno get the API alone) and a W3C `traceparent` propagator of a few
 * lines. A producer Client and a consumer Worker on two Clients of the in-process test server
 * make one trace; a failure is recorded; without propagation the payload is left alone.
 */
import {
  type Context,
  context as otelContext,
  isSpanContextValid,
  type Link,
  type Span,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type TextMapPropagator,
  trace,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";
import { Client, defineJob, Router, Worker } from "../../src/index.ts";
import { zizqOtel } from "../../src/otel/index.ts";
import { createTestServer } from "../../src/testing/index.ts";
import type { TestServer } from "../../src/testing/types.ts";
import type { Walk } from "./walk.ts";

const hex = (bytes: number) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");

/** What the minimal tracer keeps of each ended span. */
export interface RecordedSpan {
  name: string;
  kind: number | undefined;
  context: SpanContext;
  parentSpanId: string | undefined;
  links: Link[];
  attributes: Record<string, unknown>;
  events: string[];
  status: SpanStatus | undefined;
}

class MinimalSpan implements Span {
  readonly #record: RecordedSpan;
  readonly #ended: RecordedSpan[];
  #open = true;
  constructor(record: RecordedSpan, ended: RecordedSpan[]) {
    this.#record = record;
    this.#ended = ended;
  }
  spanContext = () => this.#record.context;
  setAttribute = (key: string, value: unknown) => ((this.#record.attributes[key] = value), this);
  setAttributes = (attributes: Record<string, unknown>) => (Object.assign(this.#record.attributes, attributes), this);
  addEvent = (name: string) => (this.#record.events.push(name), this);
  addLink = (link: Link) => (this.#record.links.push(link), this);
  addLinks = (links: Link[]) => (this.#record.links.push(...links), this);
  setStatus = (status: SpanStatus) => ((this.#record.status = status), this);
  updateName = (name: string) => ((this.#record.name = name), this);
  end = () => {
    if (this.#open) this.#ended.push(this.#record);
    this.#open = false;
  };
  isRecording = () => this.#open;
  recordException = () => void this.#record.events.push("exception");
}

/** A TracerProvider whose spans land in `ended`. */
export function minimalTracerProvider(ended: RecordedSpan[]): TracerProvider {
  const tracer: Tracer = {
    startSpan(name: string, options: SpanOptions = {}, ctx: Context = otelContext.active()): Span {
      const parent = trace.getSpanContext(ctx);
      const continues = parent !== undefined && isSpanContextValid(parent);
      const record: RecordedSpan = {
        name,
        kind: options.kind,
        context: { traceId: continues ? parent.traceId : hex(16), spanId: hex(8), traceFlags: 1 },
        parentSpanId: continues ? parent.spanId : undefined,
        links: [...(options.links ?? [])],
        attributes: { ...options.attributes },
        events: [],
        status: undefined,
      };
      return new MinimalSpan(record, ended);
    },
    startActiveSpan(name: string, ...rest: unknown[]) {
      const fn = rest.at(-1) as (span: Span) => unknown;
      return fn(this.startSpan(name));
    },
  } as Tracer;
  return { getTracer: () => tracer };
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;

/** W3C Trace Context's `traceparent`, and nothing else. */
export const traceparentPropagator: TextMapPropagator = {
  inject(ctx, carrier, setter) {
    const span = trace.getSpanContext(ctx);
    if (span !== undefined && isSpanContextValid(span)) setter.set(carrier, "traceparent", `00-${span.traceId}-${span.spanId}-01`);
  },
  extract(ctx, carrier, getter) {
    const match = TRACEPARENT.exec(String(getter.get(carrier, "traceparent") ?? ""));
    return match ? trace.setSpanContext(ctx, { traceId: match[1]!, spanId: match[2]!, traceFlags: 1, isRemote: true }) : ctx;
  },
  fields: () => ["traceparent"],
};

const Email = defineJob<{ to: string }>({ type: "send_email", queue: "emails" });
const quiet = { warn() {}, error() {}, info() {}, debug() {} };

interface OtelState {
  server: TestServer;
  producerSpans: RecordedSpan[];
  consumerSpans: RecordedSpan[];
  producer: Client;
  consumer: Client;
  consumerOtel: ReturnType<typeof zizqOtel>;
  plain: Client;
}

const payloadOf = async (server: TestServer, id: string) =>
  ((await (await server.fetch(new Request(`http://zizq.test/jobs/${id}`, { headers: { accept: "application/json" } }))).json()) as { payload: Record<string, unknown> }).payload;

async function drainOne(state: OtelState, router: Router): Promise<void> {
  const worker = new Worker({ client: state.consumer, router, instrumentation: state.consumerOtel, logger: quiet });
  await worker.drain({ maxJobs: 1, maxDuration: "10s" });
}

export const otelWalk: Walk<OtelState> = {
  open: () => {
    const server = createTestServer();
    const producerSpans: RecordedSpan[] = [];
    const consumerSpans: RecordedSpan[] = [];
    const url = "http://zizq.test";
    const producerOtel = zizqOtel({ tracerProvider: minimalTracerProvider(producerSpans), propagator: traceparentPropagator, propagate: true });
    const consumerOtel = zizqOtel({ tracerProvider: minimalTracerProvider(consumerSpans), propagator: traceparentPropagator });
    return {
      server,
      producerSpans,
      consumerSpans,
      producer: new Client({ url, fetch: server.fetch, instrumentation: producerOtel }),
      consumer: new Client({ url, fetch: server.fetch }),
      consumerOtel,
      plain: new Client({ url, fetch: server.fetch, instrumentation: zizqOtel({ tracerProvider: minimalTracerProvider([]), propagator: traceparentPropagator }) }),
    };
  },
  close: (state) => state.server.close(),
  steps: [
    {
      name: "an enqueue carries its send span's context in the payload",
      async run(state, assert) {
        const { id } = await state.producer.enqueue(Email, { to: "a@example.com" });
        const [send] = state.producerSpans;
        assert.equal(send?.name, "send emails");
        assert.deepEqual(send?.attributes["messaging.message.id"], id);
        assert.deepEqual(await payloadOf(state.server, id), { to: "a@example.com", _zizq_trace: { traceparent: `00-${send!.context.traceId}-${send!.context.spanId}-01` } });
      },
    },
    {
      name: "a Worker on another Client continues the trace; the handler sees the payload without the carrier",
      async run(state, assert) {
        const seen: unknown[] = [];
        await drainOne(state, new Router().route(Email, (payload) => void seen.push(payload)));
        assert.deepEqual(seen, [{ to: "a@example.com" }]);
        const [send] = state.producerSpans;
        const processed = state.consumerSpans.find((span) => span.name === "process emails");
        assert.equal(processed?.context.traceId, send!.context.traceId);
        assert.equal(processed?.parentSpanId, send!.context.spanId);
        assert.equal(processed?.kind, 4 /* CONSUMER */);
        for (const [key, value] of Object.entries({
          "messaging.system": "zizq",
          "messaging.operation.type": "process",
          "messaging.destination.name": "emails",
          "messaging.message.id": send!.attributes["messaging.message.id"],
          "zizq.job.attempt": 1,
          "zizq.job.outcome": "completed",
        })) {
          assert.equal(processed?.attributes[key], value, key);
        }
      },
    },
    {
      name: "a handler's error is recorded on its span",
      async run(state, assert) {
        await state.producer.enqueue(Email, { to: "fail@example.com" });
        state.consumerSpans.length = 0;
        await drainOne(state, new Router().route(Email, () => { throw new TypeError("smtp down"); }));
        const processed = state.consumerSpans.find((span) => span.name === "process emails");
        assert.deepEqual([processed?.attributes["zizq.job.outcome"], processed?.attributes["error.type"], processed?.status, processed?.events], [
          "failed",
          "TypeError",
          { code: 2, message: "smtp down" },
          ["exception"],
        ]);
      },
    },
    {
      name: "without propagation nothing is added to the payload",
      async run(state, assert) {
        const { id } = await state.plain.enqueue(Email, { to: "plain@example.com" });
        assert.deepEqual(await payloadOf(state.server, id), { to: "plain@example.com" });
      },
    },
  ],
};
