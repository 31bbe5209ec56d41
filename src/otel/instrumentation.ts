import {
  type Attributes,
  context,
  type Context,
  diag,
  isSpanContextValid,
  type Link,
  metrics,
  type MeterProvider,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapPropagator,
  trace,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";
import type { Job } from "../types/job.ts";
import type { OutgoingJob } from "../processing/instrumentation.ts";
import type { Outcome } from "../processing/outcome.ts";
import type { WorkerHooks, WorkerInstrumentation } from "../worker/worker-options.ts";
import type { WorkerStats } from "../worker/stats.ts";
import { checkKnownKeys, checkObject, isObject, shown } from "../utils/arguments.ts";
import { ZizqArgumentError } from "../errors/argument-error.ts";
import {
  BATCH_COUNT,
  DESTINATION,
  ERROR_TYPE,
  JOB_ATTEMPT,
  JOB_DUPLICATE,
  JOB_FOLDED,
  JOB_OUTCOME,
  JOB_TYPE,
  MESSAGE_ID,
  operation,
} from "./attributes.ts";
import { type Carrier, DEFAULT_TRACE_FIELD, extract, inject } from "./carrier.ts";
import { ZizqMetrics } from "./metrics.ts";

/** Options of `zizqOtel`; with none, it uses the global tracer, meter and propagator and carries nothing in payloads. */
export interface ZizqOtelOptions {
  /** @default the global one (`trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider;
  /** @default the global one (`metrics.getMeterProvider()`) */
  meterProvider?: MeterProvider;
  /**
   * Writes and reads the carrier's fields.
   * @default the global one (`propagation`): W3C Trace Context once an SDK is started
   */
  propagator?: TextMapPropagator;
  /**
   * Carry the producer's trace context in the payload (under `traceField`), for every job type
   * (`true`) or for the listed ones (job types or their names). Off by default: a payload is sent
   * as given. Consumers strip the field whatever this says.
   * @default false
   * @example propagate: [SendEmail, "reports.build"]
   */
  propagate?: boolean | readonly (string | { readonly type: string })[];
  /**
   * The reserved payload field of the carrier; producers and consumers must agree on it.
   * @default "_zizq_trace"
   */
  traceField?: string;
}

const SCOPE = "zizq-edge";

/** `zizqOtel` of zizq-edge/otel (src/otel/index.ts), which loads this module once the API is found. */
export function zizqOtel(options: ZizqOtelOptions = {}): WorkerInstrumentation {
  checkObject("options", options, true);
  checkKnownKeys("options", options as Record<string, unknown>, ["tracerProvider", "meterProvider", "propagator", "propagate", "traceField"]);
  needs("tracerProvider", options.tracerProvider, ["getTracer"]);
  needs("meterProvider", options.meterProvider, ["getMeter"]);
  needs("propagator", options.propagator, ["inject", "extract"]);
  const field = options.traceField ?? DEFAULT_TRACE_FIELD;
  if (typeof field !== "string" || field === "") throw new ZizqArgumentError("traceField", `expected a non-empty string, got ${shown(field)}`);
  return new ZizqOtel(options, field, propagates(options.propagate));
}

/** An option that, when given, must be an object with these methods (a provider, a propagator). */
function needs(field: string, value: unknown, methods: readonly string[]): void {
  if (value === undefined) return;
  checkObject(field, value);
  for (const method of methods) {
    const member = (value as Record<string, unknown>)[method];
    if (typeof member !== "function") throw new ZizqArgumentError(`${field}.${method}`, `expected a function, got ${shown(member)}`);
  }
}

function propagates(option: ZizqOtelOptions["propagate"]): (type: string) => boolean {
  if (option === undefined || typeof option === "boolean") return () => option === true;
  if (!Array.isArray(option)) throw new ZizqArgumentError("propagate", `expected a boolean or a list of job types, got ${shown(option)}`);
  const types = new Set(
    option.map((entry: unknown, i) => {
      const type = isObject(entry) ? entry.type : entry;
      if (typeof type !== "string") throw new ZizqArgumentError(`propagate[${i}]`, `expected a job type or its name, got ${shown(entry)}`);
      return type;
    }),
  );
  return (type) => types.has(type);
}

interface ProcessAttributes {
  name: string;
  span: Attributes;
  metric: Attributes;
  completed: Attributes;
  failed: Attributes;
  killed: Attributes;
}

const getter = {
  keys: (carrier: Carrier) => Object.keys(carrier),
  get: (carrier: Carrier, key: string) => carrier[key],
};

class ZizqOtel implements WorkerInstrumentation {
  readonly #tracer: Tracer;
  readonly #metrics: ZizqMetrics;
  readonly #propagator: TextMapPropagator;
  readonly #field: string;
  readonly #propagates: (type: string) => boolean;
  /** The process span of each job running, by the job as taken and by its stripped copy, for log fields. */
  readonly #running = new Map<Job<unknown>, Span>();
  readonly #byQueueAndType = new Map<string, ProcessAttributes>();
  #warnedUnreadable = false;

  constructor(options: ZizqOtelOptions, field: string, propagates: (type: string) => boolean) {
    this.#tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
    this.#metrics = new ZizqMetrics((options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE));
    this.#propagator = options.propagator ?? propagation;
    this.#field = field;
    this.#propagates = propagates;
  }

  async enqueue<T>(jobs: OutgoingJob[], bulk: boolean, send: () => Promise<T>): Promise<T> {
    const parent = context.active();
    const queue = jobs.every((job) => job.queue === jobs[0]?.queue) ? jobs[0]?.queue : undefined;
    const attributes = operation("send", queue);
    if (bulk) attributes[BATCH_COUNT] = jobs.length;
    else attributes[JOB_TYPE] = jobs[0]!.type;
    // A bulk enqueue gets a `create` span per job, which its carrier names and the `send` span links to.
    const creates = bulk ? jobs.map((job) => this.#tracer.startSpan(`create ${job.queue}`, { kind: SpanKind.PRODUCER, attributes: { ...operation("create", job.queue), [JOB_TYPE]: job.type } }, parent)) : [];
    const links: Link[] = creates.map((span) => ({ context: span.spanContext() }));
    const span = this.#tracer.startSpan(queue === undefined ? "send" : `send ${queue}`, { kind: SpanKind.PRODUCER, attributes, links }, parent);
    try {
      jobs.forEach((job, i) => {
        if (!this.#propagates(job.type)) return;
        const carrier: Carrier = {};
        this.#propagator.inject(trace.setSpan(parent, creates[i] ?? span), carrier, { set: (c, key, value) => (c[key] = value) });
        inject(job, this.#field, carrier);
      });
      const answer = await context.with(trace.setSpan(parent, span), send);
      const enqueued = (Array.isArray(answer) ? answer : [answer]) as { id: string; duplicate: boolean; folded: boolean }[];
      enqueued.forEach((job, i) => {
        const target = bulk ? creates[i] : span;
        target?.setAttributes({ [MESSAGE_ID]: job.id, [JOB_DUPLICATE]: job.duplicate, [JOB_FOLDED]: job.folded });
      });
      jobs.forEach((job) => this.#metrics.sent.add(1, { ...operation("send", job.queue), [JOB_TYPE]: job.type }));
      return answer;
    } catch (error) {
      failSpan(span, error);
      for (const create of creates) failSpan(create, error);
      throw error;
    } finally {
      for (const create of creates) create.end();
      span.end();
    }
  }

  async process(job: Job<unknown>, run: (job: Job<unknown>) => Promise<Outcome>): Promise<Outcome> {
    const taken = extract(job, this.#field);
    const cached = this.#processAttributes(job.queue, job.type);
    let parent = context.active();
    let links: Link[] | undefined;
    if (taken !== undefined) {
      try {
        const contexts = taken.carriers.map((carrier) => this.#propagator.extract(ROOT_CONTEXT, carrier, getter));
        // One producer's job continues its trace; a batch folds several producers' jobs, so it links them all.
        if (job.batch == null && contexts.length === 1) parent = contexts[0]!;
        else links = contexts.flatMap((ctx) => trace.getSpanContext(ctx) ?? []).filter(isSpanContextValid).map((sc) => ({ context: sc }));
      } catch (error) {
        // A carrier comes from a producer: one the propagator cannot read must not fail the job.
        this.#unreadable(error);
      }
    }
    const copy = taken?.job ?? job;
    const span = this.#tracer.startSpan(cached.name, { kind: SpanKind.CONSUMER, attributes: cached.span, links }, parent);
    span.setAttribute(MESSAGE_ID, job.id);
    span.setAttribute(JOB_ATTEMPT, job.attempts + 1);
    // Held while the job runs, for its log lines (a no-op span has no ids to log); a Map rather
    // than a WeakMap, whose entries cost far more to collect.
    const recording = span.isRecording();
    if (recording) {
      this.#running.set(copy, span);
      if (copy !== job) this.#running.set(job, span);
    }
    this.#metrics.started.add(1, cached.metric);
    const startedAt = performance.now();
    try {
      // A span with no ids (the API's no-op tracer, nothing to continue) gives the handler nothing to carry.
      const outcome = await (recording || isSpanContextValid(span.spanContext()) ? context.with(trace.setSpan(parent, span), run, undefined, copy) : run(copy));
      const verdict = outcomeOf(outcome);
      let attributes = cached[verdict];
      if (outcome.kind === "failed") {
        attributes = { ...attributes, [ERROR_TYPE]: outcome.failure.errorType ?? "Error" };
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.failure.message });
        if (outcome.error instanceof Error) span.recordException(outcome.error);
        span.setAttribute(ERROR_TYPE, attributes[ERROR_TYPE]!);
      }
      span.setAttribute(JOB_OUTCOME, verdict);
      this.#metrics.processDuration.record((performance.now() - startedAt) / 1000, outcome.kind === "failed" ? { ...cached.metric, [ERROR_TYPE]: attributes[ERROR_TYPE] } : cached.metric);
      this.#metrics.finished.add(1, attributes);
      return outcome;
    } catch (error) {
      // Dispatch never throws; an instrumentation must not turn a thrown bug into a lost span.
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
      if (recording) {
        this.#running.delete(copy);
        this.#running.delete(job);
      }
    }
  }

  /** Warns through OpenTelemetry's diagnostics, once per instrumentation: a bad carrier tends to come with many more. */
  #unreadable(error: unknown): void {
    if (this.#warnedUnreadable) return;
    this.#warnedUnreadable = true;
    diag.warn(`zizq-edge: a job's trace carrier could not be read; its process span starts without a parent (warned once)`, error);
  }

  /** Attributes of a queue and type's process spans and metrics, made once: spreading them per job costs more than the rest. */
  #processAttributes(queue: string, type: string): ProcessAttributes {
    const key = `${queue}\u0000${type}`;
    let cached = this.#byQueueAndType.get(key);
    if (cached === undefined) {
      const metric = { ...operation("process", queue), [JOB_TYPE]: type };
      cached = {
        name: `process ${queue}`,
        span: metric,
        metric,
        completed: { ...metric, [JOB_OUTCOME]: "completed" },
        failed: { ...metric, [JOB_OUTCOME]: "failed" },
        killed: { ...metric, [JOB_OUTCOME]: "killed" },
      };
      // Queue and type names are few in practice; a bound keeps a stream of made-up ones from growing it.
      if (this.#byQueueAndType.size < 1_000) this.#byQueueAndType.set(key, cached);
    }
    return cached;
  }

  logFields(job: Job<unknown>): object | undefined {
    const spanContext = this.#running.get(job)?.spanContext();
    if (spanContext === undefined || !isSpanContextValid(spanContext)) return undefined;
    return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
  }

  worker(worker: { stats(): WorkerStats }): WorkerHooks {
    const hooks = this.#metrics.watch(worker);
    const onAckFlush = hooks.onAckFlush!;
    const attributes = operation("ack");
    return {
      ...hooks,
      // A settle span per bulk ack, timed by the batcher: acks of many jobs and traces share one request.
      onAckFlush: (info) => {
        onAckFlush(info);
        const endedAt = Date.now();
        const span = this.#tracer.startSpan("ack", { kind: SpanKind.CLIENT, attributes: { ...attributes, [BATCH_COUNT]: info.ids }, startTime: endedAt - info.durationMs }, ROOT_CONTEXT);
        span.end(endedAt);
      },
    };
  }
}

function outcomeOf(outcome: Outcome): "completed" | "failed" | "killed" {
  if (outcome.kind === "completed") return "completed";
  if (outcome.kind === "settled") return outcome.completed ? "completed" : "failed";
  return outcome.failure.kill ? "killed" : "failed";
}

function failSpan(span: Span, error: unknown): void {
  if (error instanceof Error) {
    span.recordException(error);
    span.setAttribute(ERROR_TYPE, error.name);
  }
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
