import { ZizqArgumentError } from "../errors/argument-error.ts";
import { ZizqDecodeError } from "../errors/decode-error.ts";
import { ZizqUnprocessableError } from "../errors/http-error.ts";
import { ZizqVersionError } from "../errors/version-error.ts";
import { checkBoolean, checkObject, checkString, shown } from "../utils/arguments.ts";
import { toEpochMs } from "../utils/duration.ts";
import { type PickReply, REPLIES, shapeProblem } from "../protocol/replies.ts";
import type { WireEnqueue } from "../protocol/wire.ts";
import { jobPath } from "./paths.ts";
import { SUPPORTED_MAJOR } from "./version.ts";
import { requireFeature } from "./version-gate.ts";
import { type JobPatch, wirePatch } from "./patch.ts";
import type { Transport } from "./transport.ts";
import type { EnqueuedJob, ErrorRecord, Instant, Job, JobInfo } from "./types.ts";
import { enqueuedJob, errorRecord, job, jobInfo } from "./wire-convert.ts";

/** What a handler reports when a job fails. */
export interface Failure {
  message: string;
  /** A short class of the error, such as its constructor name. */
  errorType?: string;
  backtrace?: string;
  /** Retry at this time, whatever the backoff and retry limit say. */
  retryAt?: Instant;
  /** Never retry: the job is dead at once. Wins over `retryAt`. */
  kill?: boolean;
}

/**
 * Acking, failing, reading and managing single jobs, and asking about the server: loaded on
 * first use, so a producer's bundle carries none of it.
 */
export class JobCalls {
  constructor(private readonly transport: Transport) {}

  async enqueueRaw(raw: WireEnqueue): Promise<EnqueuedJob> {
    if (raw.budgets !== undefined && raw.budgets.length > 0) await requireFeature(this.transport, "budgets");
    const idempotent = raw.unique_key !== undefined && raw.unique_key !== null;
    const reply = await this.transport.send({ method: "POST", path: "/jobs", body: raw, idempotent, reply: (r) => r.enqueued });
    return enqueuedJob(reply.body);
  }

  async ack(id: string): Promise<void> {
    await this.transport.send({ method: "POST", path: `${jobPath(id)}/success`, idempotent: true, doneWhenRetried: [404], reply: (r) => r.none });
  }

  async ackMany(ids: readonly string[]): Promise<{ notFound: string[] }> {
    if (!Array.isArray(ids)) throw new ZizqArgumentError("ids", `expected an array of job ids, got ${shown(ids)}`);
    ids.forEach((id, i) => {
      if (typeof id !== "string" || id === "") throw new ZizqArgumentError(`ids[${i}]`, `expected a job id, got ${shown(id)}`);
    });
    if (ids.length === 0) return { notFound: [] };
    try {
      await this.transport.send({ method: "POST", path: "/jobs/success", body: { ids }, idempotent: true, reply: (r) => r.none });
      return { notFound: [] };
    } catch (error) {
      // A 422 listing `not_found` is a partial success: every id not listed was acked.
      if (!(error instanceof ZizqUnprocessableError)) throw error;
      const body = error.body as { not_found?: unknown } | null | undefined;
      if (body?.not_found === undefined) throw error;
      const problem = shapeProblem(REPLIES.notFound, body);
      if (problem) throw new ZizqDecodeError(error.request, null, error, problem);
      return { notFound: body.not_found as string[] };
    }
  }

  async fail(id: string, failure: Failure): Promise<JobInfo> {
    checkObject("failure", failure, true);
    if (typeof failure.message !== "string") throw new ZizqArgumentError("failure.message", `expected a string, got ${shown(failure.message)}`);
    checkString("failure.errorType", failure.errorType);
    checkString("failure.backtrace", failure.backtrace);
    checkBoolean("failure.kill", failure.kill);
    const body: Record<string, unknown> = { message: failure.message };
    if (failure.errorType !== undefined) body.error_type = failure.errorType;
    if (failure.backtrace !== undefined) body.backtrace = failure.backtrace;
    if (failure.retryAt !== undefined) body.retry_at = toEpochMs(failure.retryAt, "failure.retryAt");
    if (failure.kill) body.kill = true;
    // Not retried: a nack is matched by job id alone, so a repeat of one that landed could fail
    // the same job's next attempt, taken meanwhile by another worker.
    const reply = await this.transport.send({ method: "POST", path: `${jobPath(id)}/failure`, body, idempotent: false, reply: (r) => r.job });
    return jobInfo(reply.body);
  }

  async getJob<Payload>(id: string): Promise<Job<Payload>> {
    return job<Payload>(await this.get(jobPath(id), (r) => r.jobWithPayload));
  }

  async patchJob(id: string, patch: JobPatch): Promise<JobInfo> {
    const reply = await this.transport.send({ method: "PATCH", path: jobPath(id), body: wirePatch(patch), idempotent: false, reply: (r) => r.job });
    return jobInfo(reply.body);
  }

  async deleteJob(id: string): Promise<void> {
    await this.transport.send({ method: "DELETE", path: jobPath(id), idempotent: false, reply: (r) => r.none });
  }

  async getError(id: string, attempt: number): Promise<ErrorRecord> {
    if (!Number.isInteger(attempt) || attempt < 1) throw new ZizqArgumentError("attempt", `expected an integer from 1, got ${attempt}`);
    return errorRecord(await this.get(`${jobPath(id)}/errors/${attempt}`, (r) => r.errorRecord));
  }

  async queues(): Promise<string[]> {
    return (await this.get("/queues", (r) => r.queues)).queues;
  }

  async health(): Promise<"ok"> {
    await this.get("/health", (r) => r.health);
    return "ok";
  }

  async serverVersion(): Promise<string> {
    return (await this.get("/version", (r) => r.version)).version;
  }

  async checkCompatibility(): Promise<string> {
    const version = await this.serverVersion();
    const major = Number(/^(\d+)\./.exec(version)?.[1]);
    if (major !== SUPPORTED_MAJOR) throw new ZizqVersionError(version, SUPPORTED_MAJOR);
    return version;
  }

  async reset(): Promise<void> {
    await this.transport.send({ method: "POST", path: "/reset", idempotent: true, reply: (r) => r.none });
  }

  private async get<Body>(path: string, reply: PickReply<Body>): Promise<Body> {
    return (await this.transport.send({ method: "GET", path, idempotent: true, reply })).body;
  }
}
