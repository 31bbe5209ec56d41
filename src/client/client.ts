import { ZizqArgumentError } from "../errors/argument-error.ts";
import { defineJob, isJobDefinition, type JobDefinition, type JobRequest } from "../job/define-job.ts";
import { enqueueBody } from "../job/enqueue-body.ts";
import { ENQUEUE_OPTION_KEYS } from "../protocol/mapping/enqueue.ts";
import { enqueuedJob } from "../protocol/mapping/job.ts";
import type { Instrumentation } from "../processing/instrumentation.ts";
import type { PickReply } from "../protocol/replies.ts";
import type { EnqueueOptions } from "../types/enqueue.ts";
import type { Failure } from "../types/failure.ts";
import type { JobFilter } from "../types/filter.ts";
import type { EnqueuedJob, ErrorRecord, Job, JobInfo } from "../types/job.ts";
import type { JobPatch } from "../types/patch.ts";
import {
  checkFunction,
  checkHeaders,
  checkKnownKeys,
  checkMethods,
  checkObject,
  checkOneOf,
  isObject,
  shown,
} from "../utils/arguments.ts";
import { checkTimerMs } from "../utils/duration.ts";
import { integerIn } from "../utils/integer.ts";
import { lazy } from "../utils/lazy.ts";
import { FORMATS } from "./codec.ts";
import { Budgets } from "./budgets.ts";
import { Crons } from "./crons.ts";
import { ErrorQuery, JobQuery, ofDefinition } from "./query.ts";
import type { TakeConnection, TakeOptions } from "./take.ts";
import { Transport, type TransportOptions } from "./transport.ts";

/**
 * Options of `new Client(...)`; only `url` is required.
 *
 * @example
 * ```ts
 * const client = new Client({ url: "http://127.0.0.1:7890", format: "msgpack", retry: { limit: 5 } });
 * ```
 */
export interface ClientOptions extends TransportOptions {
  /**
   * The clock used to turn `delay` into `ready_at`.
   *
   * @default Date.now
   */
  now?: () => number;
  /**
   * Traces of enqueues, and a trace context carried in payloads when it is told to.
   * @default none (payloads are sent as given)
   * @example instrumentation: zizqOtel({ propagate: true }) // from "zizq-edge/otel"
   */
  instrumentation?: Instrumentation;
}

/**
 * A job given without a job type: its type, queue and payload next to the enqueue options, all
 * camelCase. No schema checks the payload, and the defaults are the server's.
 *
 * @example
 * ```ts
 * await client.enqueueRaw({ type: "send_email", queue: "emails", payload: { to: "a@example.com" }, delay: "5m" });
 * ```
 */
export interface RawJob extends EnqueueOptions {
  type: string;
  queue: string;
  payload: unknown;
}

/** Every key a `RawJob` may have: a snake_case key (`ready_at`) is refused, not ignored. */
const RAW_JOB_KEYS = ["type", "queue", "payload", ...ENQUEUE_OPTION_KEYS];

/** The single-job calls load with the first one, so a producer's bundle carries none of them. */
const calls = lazy(() => import("./job-calls.ts"));

/**
 * A client of one Zizq server: one method per endpoint, typed jobs, both wire formats. It
 * needs only `fetch`, so it runs in Node, Deno, Bun, Workers and browsers alike. Producing
 * loads with it; everything else (acks, reads, admin, cron, take streams) loads on first use.
 *
 * @example
 * ```ts
 * const client = new Client({ url: "http://127.0.0.1:7890" });
 * const SendEmail = defineJob<{ to: string }>({ type: "send_email", queue: "emails" });
 * await client.enqueue(SendEmail, { to: "a@example.com" });
 * ```
 */
export class Client {
  /** Cron groups and entries (Zizq Pro); each call throws `ZizqProLicenseError` on the free tier. */
  readonly crons: Crons;
  /** Budgets and job bindings (Zizq 0.7, Pro); each call throws `ZizqVersionError` against an older server. */
  readonly budgets: Budgets;
  private readonly transport: Transport;
  private readonly now: () => number;
  private readonly instrumentation: Instrumentation | undefined;

  constructor(options: ClientOptions) {
    checkClientOptions(options);
    this.transport = new Transport(options);
    this.now = options.now ?? Date.now;
    this.instrumentation = options.instrumentation;
    this.crons = new Crons(this.transport, this.now);
    this.budgets = new Budgets(this.transport);
  }

  // --- enqueue ---

  /** Enqueues one job; the payload is checked against the job's schema first. */
  async enqueue<Input, Output>(definition: JobDefinition<Input, Output>, payload: Input, options?: EnqueueOptions): Promise<EnqueuedJob> {
    if (!isJobDefinition(definition)) throw new ZizqArgumentError("definition", `expected a job type from defineJob, got ${shown(definition)}`);
    const body = await enqueueBody(definition.with(payload, options), this.now());
    // A 0.6 server would take the job and run it unthrottled.
    if (body.budgets) await (await import("./version-gate.ts")).requireFeature(this.transport, "budgets");
    const instrumentation = this.instrumentation;
    // Without one, no closure and no extra promise step on the producer's hot path.
    if (instrumentation?.enqueue === undefined) return enqueuedJob(await this.post("/jobs", body, body.unique_key !== undefined, (r) => r.enqueued));
    return instrumentation.enqueue([body], false, async () => enqueuedJob(await this.post("/jobs", body, body.unique_key !== undefined, (r) => r.enqueued)));
  }

  /**
   * Enqueues many jobs, of any types, in one atomic request (`Job.with(payload, options)` for
   * each). Every payload is checked before anything is sent. Answers in input order.
   */
  // Each request may be of a different job type, so their payload types differ.
  async enqueueBulk(requests: readonly JobRequest<any, any>[]): Promise<EnqueuedJob[]> {
    return (await import("./enqueue-bulk.ts")).enqueueBulk(this.transport, this.now(), requests, this.instrumentation);
  }

  /**
   * Enqueues a job without a job type: `{ type, queue, payload }` and any enqueue option, the
   * same camelCase as `enqueue`. The payload must be JSON data; no schema and no defaults of a
   * job type apply. A key that is not an enqueue option, such as `ready_at`, is a
   * `ZizqArgumentError` rather than a default silently taken.
   */
  async enqueueRaw(job: RawJob): Promise<EnqueuedJob> {
    if (!isObject(job)) throw new ZizqArgumentError("job", `expected { type, queue, payload, ...options }, got ${shown(job)}`);
    checkKnownKeys("job", job, RAW_JOB_KEYS);
    const { type, queue, payload, ...options } = job;
    return this.enqueue(defineJob({ type, queue }), payload, options);
  }

  // --- take, ack, nack ---

  /**
   * Opens `GET /jobs/take` and returns its decoded jobs. The jobs taken are in flight until
   * acked or failed; cancelling the stream hands the rest back to the server.
   */
  async take(options: TakeOptions = {}): Promise<ReadableStream<Job>> {
    return (await import("./take.ts")).takeStream(this.transport, options);
  }

  /**
   * @internal Whether calls go through an `Exchange` (a `nodeFetch` carries one): requests cheap
   * enough that a Worker pipelines the acks of small windows.
   */
  get cheapRequests(): boolean {
    return this.transport.throughExchange;
  }

  /** @internal The Worker's take: the response body and its decoder, driven by hand. */
  async openTake(options: TakeOptions): Promise<TakeConnection> {
    return (await import("./take.ts")).openTake(this.transport, options);
  }

  /** Acks one in-flight job (`ZizqNotFoundError` when it is not in flight). */
  async ack(id: string): Promise<void> {
    return (await calls()).ack(this.transport, id);
  }

  /** Acks many jobs at once; answers the ids that were not in flight (the rest are acked). */
  async ackMany(ids: readonly string[]): Promise<{ notFound: string[] }> {
    return (await calls()).ackMany(this.transport, ids);
  }

  /** Reports a failure: the job is retried, scheduled for `retryAt`, or dead. */
  async fail(id: string, failure: Failure): Promise<JobInfo> {
    return (await calls()).fail(this.transport, id, failure);
  }

  // --- read and manage jobs ---

  /**
   * A lazy query over jobs: iterate it, or `count()`, `first()`, `toArray()`, `updateAll()`, `deleteAll()`.
   *
   * @example
   * ```ts
   * for await (const job of client.jobs({ queue: "emails", status: "dead" })) console.log(job.id);
   * ```
   *
   * Given a job definition first, the query is of that type's jobs, and their payload type (so
   * the `payload` patterns) comes from it: `client.jobs(SendEmail, { payload: { to: "a@example.com" } })`.
   */
  jobs<Input, Output>(definition: JobDefinition<Input, Output>, filter?: Omit<JobFilter<Input>, "type">): JobQuery<Input>;
  jobs<Payload = unknown>(filter?: JobFilter<Payload>): JobQuery<Payload>;
  jobs(first: JobFilter | JobDefinition = {}, filter?: JobFilter): JobQuery {
    return new JobQuery(this.transport, ofDefinition(first, filter));
  }

  /** One job with its payload; `ZizqNotFoundError` when it is gone or expired. */
  async getJob<Payload = unknown>(id: string): Promise<Job<Payload>> {
    return (await calls()).getJob<Payload>(this.transport, id);
  }

  /** Changes a job that has not finished; `null` clears a setting (see `JobPatch`). */
  async patchJob(id: string, patch: JobPatch): Promise<JobInfo> {
    return (await calls()).patchJob(this.transport, id, patch);
  }

  /** Deletes a job in any status; a held job's stream gets its slot back. */
  async deleteJob(id: string): Promise<void> {
    return (await calls()).deleteJob(this.transport, id);
  }

  /** A job's error history, oldest first. */
  errors(id: string): ErrorQuery {
    return new ErrorQuery(this.transport, id);
  }

  /** The error record of one failed attempt (counting from 1). */
  async getError(id: string, attempt: number): Promise<ErrorRecord> {
    return (await calls()).getError(this.transport, id, attempt);
  }

  /** Names of every queue that holds a job, sorted. */
  async queues(): Promise<string[]> {
    return (await calls()).queues(this.transport);
  }

  // --- server ---

  /** Resolves when the server answers its health check. */
  async health(): Promise<"ok"> {
    return (await calls()).health(this.transport);
  }

  /** The server's version, e.g. `"0.6.1"`. */
  async serverVersion(): Promise<string> {
    return (await calls()).serverVersion(this.transport);
  }

  /**
   * Checks that the server speaks the API this client was built for (the same major version);
   * answers the server's version or throws `ZizqVersionError`.
   */
  async checkCompatibility(): Promise<string> {
    return (await calls()).checkCompatibility(this.transport);
  }

  /** Deletes every job and cron group. For tests and development. */
  async reset(): Promise<void> {
    return (await calls()).reset(this.transport);
  }

  private async post<Body>(path: string, body: unknown, idempotent: boolean, reply: PickReply<Body>): Promise<Body> {
    return (await this.transport.send({ method: "POST", path, body, idempotent, reply })).body;
  }
}

/** Every client option, checked when the client is made rather than on its first request. */
function checkClientOptions(options: ClientOptions): void {
  if (!isObject(options)) throw new ZizqArgumentError("options", `expected the client's options, got ${shown(options)}`);
  const { url } = options;
  if (typeof url !== "string" || !/^https?:\/\//.test(url) || !URL.canParse(url)) {
    throw new ZizqArgumentError("url", `expected an http:// or https:// URL, got ${shown(url)}`);
  }
  checkFunction("fetch", options.fetch);
  checkFunction("now", options.now);
  checkOneOf("format", options.format, FORMATS);
  if (options.timeoutMs !== false) checkTimerMs("timeoutMs", options.timeoutMs, 1);
  if (options.retry !== undefined && options.retry !== false) {
    checkObject("retry", options.retry);
    checkKnownKeys("retry", options.retry as Record<string, unknown>, ["limit", "initialDelayMs", "maxDelayMs"]);
    const { limit, initialDelayMs, maxDelayMs } = options.retry;
    integerIn("retry.limit", limit, 0, 100);
    // Numbers only: the transport computes with them (a duration such as "1s" made NaN delays).
    checkTimerMs("retry.initialDelayMs", initialDelayMs, 0);
    checkTimerMs("retry.maxDelayMs", maxDelayMs, 0);
  }
  checkHeaders("headers", options.headers);
  checkMethods("instrumentation", options.instrumentation, ["enqueue", "process", "logFields"]);
}
