import { ZizqArgumentError } from "../errors/argument-error.ts";
import { type EnqueueOptions, isJobDefinition, type JobDefinition, type JobRequest } from "../job/define-job.ts";
import { enqueueBody } from "../job/enqueue-body.ts";
import { checkJsonPayload } from "../job/json-payload.ts";
import type { PickReply } from "../protocol/replies.ts";
import type { WireEnqueue } from "../protocol/wire.ts";
import {
  checkFunction,
  checkHeaders,
  checkKnownKeys,
  checkObject,
  checkOneOf,
  isObject,
  shown,
} from "../utils/arguments.ts";
import { checkTimerMs } from "../utils/duration.ts";
import { integerIn } from "../utils/integer.ts";
import { lazyObject } from "../utils/lazy.ts";
import { FORMATS } from "./codec.ts";
import type { Failure, JobCalls } from "./job-calls.ts";
import type { Budgets } from "./budgets.ts";
import type { Crons } from "./crons.ts";
import type { JobPatch } from "./patch.ts";
import { ErrorQuery, type JobFilter, JobQuery } from "./query.ts";
import type { TakeConnection, TakeOptions } from "./take.ts";
import { Transport, type TransportOptions } from "./transport.ts";
import type { EnqueuedJob, ErrorRecord, Job, JobInfo } from "./types.ts";
import { enqueuedJob } from "./wire-convert.ts";

/** Options of `new Client(...)`; only `url` is required. */
export interface ClientOptions extends TransportOptions {
  /** The clock used to turn `delay` into `ready_at`. Default `Date.now`. */
  now?: () => number;
}

/** The request body of `enqueueRaw`: the server's own terms, no schema or defaults. */
export type RawJob = WireEnqueue;

/**
 * A client of one Zizq server: one method per endpoint, typed jobs, both wire formats. It
 * needs only `fetch`, so it runs in Node, Deno, Bun, Workers and browsers alike. Producing
 * loads with it; everything else (acks, reads, admin, cron, take streams) loads on first use.
 */
export class Client {
  /** Cron groups and entries (Zizq Pro); each call throws `ZizqProLicenseError` on the free tier. */
  readonly crons: Crons;
  /** Budgets and job bindings (Zizq 0.7, Pro); each call throws `ZizqVersionError` against an older server. */
  readonly budgets: Budgets;
  private readonly transport: Transport;
  private readonly now: () => number;
  private readonly calls: JobCalls;

  constructor(options: ClientOptions) {
    checkClientOptions(options);
    const transport = new Transport(options);
    const now = options.now ?? Date.now;
    this.transport = transport;
    this.now = now;
    this.calls = lazyObject(async () => new (await import("./job-calls.ts")).JobCalls(transport));
    this.crons = lazyObject(async () => new (await import("./crons.ts")).Crons(transport, now));
    this.budgets = lazyObject(async () => new (await import("./budgets.ts")).Budgets(transport));
  }

  // --- enqueue ---

  /** Enqueues one job; the payload is checked against the job's schema first. */
  async enqueue<Input, Output>(definition: JobDefinition<Input, Output>, payload: Input, options?: EnqueueOptions): Promise<EnqueuedJob> {
    if (!isJobDefinition(definition)) throw new ZizqArgumentError("definition", `expected a job type from defineJob, got ${shown(definition)}`);
    const body = await enqueueBody(definition.with(payload, options), this.now());
    // A 0.6 server would take the job and run it unthrottled.
    if (body.budgets) await (await import("./version-gate.ts")).requireFeature(this.transport, "budgets");
    return enqueuedJob(await this.post("/jobs", body, body.unique_key !== undefined, (r) => r.enqueued));
  }

  /**
   * Enqueues many jobs, of any types, in one atomic request (`Job.with(payload, options)` for
   * each). Every payload is checked before anything is sent. Answers in input order.
   */
  // Each request may be of a different job type, so their payload types differ.
  async enqueueBulk(requests: readonly JobRequest<any, any>[]): Promise<EnqueuedJob[]> {
    return (await import("../job/enqueue-bulk.ts")).enqueueBulk(this.transport, this.now(), requests);
  }

  /** Enqueues a job given in the server's own terms (snake_case), with no schema or defaults. */
  async enqueueRaw(raw: RawJob): Promise<EnqueuedJob> {
    if (!isObject(raw)) throw new ZizqArgumentError("raw", `expected a job in the server's terms, got ${shown(raw)}`);
    await checkJsonPayload(String(raw.type), raw.payload);
    return this.calls.enqueueRaw(raw);
  }

  // --- take, ack, nack ---

  /**
   * Opens `GET /jobs/take` and returns its decoded jobs. The jobs taken are in flight until
   * acked or failed; cancelling the stream hands the rest back to the server.
   */
  async take(options: TakeOptions = {}): Promise<ReadableStream<Job>> {
    return (await import("./take.ts")).takeStream(this.transport, options);
  }

  /** @internal The Worker's take: the response body and its decoder, driven by hand. */
  async openTake(options: TakeOptions): Promise<TakeConnection> {
    return (await import("./take.ts")).openTake(this.transport, options);
  }

  /** Acks one in-flight job (`ZizqNotFoundError` when it is not in flight). */
  ack(id: string): Promise<void> {
    return this.calls.ack(id);
  }

  /** Acks many jobs at once; answers the ids that were not in flight (the rest are acked). */
  ackMany(ids: readonly string[]): Promise<{ notFound: string[] }> {
    return this.calls.ackMany(ids);
  }

  /** Reports a failure: the job is retried, scheduled for `retryAt`, or dead. */
  fail(id: string, failure: Failure): Promise<JobInfo> {
    return this.calls.fail(id, failure);
  }

  // --- read and manage jobs ---

  /** A lazy query over jobs: iterate it, or `count()`, `first()`, `toArray()`, `updateAll()`, `deleteAll()`. */
  jobs<Payload = unknown>(filter: JobFilter = {}): JobQuery<Payload> {
    return new JobQuery<Payload>(this.transport, filter);
  }

  /** One job with its payload; `ZizqNotFoundError` when it is gone or expired. */
  getJob<Payload = unknown>(id: string): Promise<Job<Payload>> {
    return this.calls.getJob<Payload>(id);
  }

  /** Changes a job that has not finished; `null` clears a setting (see `JobPatch`). */
  patchJob(id: string, patch: JobPatch): Promise<JobInfo> {
    return this.calls.patchJob(id, patch);
  }

  /** Deletes a job in any status; a held job's stream gets its slot back. */
  deleteJob(id: string): Promise<void> {
    return this.calls.deleteJob(id);
  }

  /** A job's error history, oldest first. */
  errors(id: string): ErrorQuery {
    return new ErrorQuery(this.transport, id);
  }

  /** The error record of one failed attempt (counting from 1). */
  getError(id: string, attempt: number): Promise<ErrorRecord> {
    return this.calls.getError(id, attempt);
  }

  /** Names of every queue that holds a job, sorted. */
  queues(): Promise<string[]> {
    return this.calls.queues();
  }

  // --- server ---

  /** Resolves when the server answers its health check. */
  health(): Promise<"ok"> {
    return this.calls.health();
  }

  /** The server's version, e.g. `"0.6.1"`. */
  serverVersion(): Promise<string> {
    return this.calls.serverVersion();
  }

  /**
   * Checks that the server speaks the API this client was built for (the same major version);
   * answers the server's version or throws `ZizqVersionError`.
   */
  checkCompatibility(): Promise<string> {
    return this.calls.checkCompatibility();
  }

  /** Deletes every job and cron group. For tests and development. */
  reset(): Promise<void> {
    return this.calls.reset();
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
}
