/**
 * Library to server: camelCase shapes and options as the server's snake_case bodies, with
 * durations and instants in ms. Each mapper refuses what the server would refuse, naming the
 * field, before anything is sent. The other direction is `from-wire.ts`.
 */
import { ZizqArgumentError } from "../../errors/argument-error.ts";
import type { BackoffInput, EnqueueOptions, RetentionInput } from "../../types/enqueue.ts";
import type { Failure } from "../../types/failure.ts";
import type { BatchConfig, Job } from "../../types/job.ts";
import type { JobPatch } from "../../types/patch.ts";
import { checkBoolean, checkObject, checkString, isObject, shown } from "../../utils/arguments.ts";
import { toEpochMs, toMs } from "../../utils/duration.ts";
import { integerIn } from "../../utils/integer.ts";
import { checkName } from "../names.ts";
import type { WireBackoff, WireBatch, WireEnqueue, WireJob, WireRetention } from "../wire.ts";

/** A job to enqueue, its options already resolved against its type's defaults. */
export interface EnqueueFields extends EnqueueOptions {
  type: string;
  queue: string;
  payload: unknown;
}

/** The `POST /jobs` body; `now` turns a `delay` into `ready_at`. */
export function wireEnqueue(job: EnqueueFields, now: number): WireEnqueue {
  const body: WireEnqueue = { type: job.type, queue: job.queue, payload: job.payload };
  if (job.priority !== undefined) body.priority = job.priority;
  if (job.readyAt !== undefined) body.ready_at = toEpochMs(job.readyAt, "readyAt");
  else if (job.delay !== undefined) body.ready_at = now + toMs(job.delay, "delay");
  if (job.retryLimit !== undefined) body.retry_limit = job.retryLimit;
  if (job.backoff) body.backoff = wireBackoff(job.backoff);
  if (job.retention) body.retention = wireRetention(job.retention);
  if (job.uniqueKey !== undefined) body.unique_key = job.uniqueKey;
  if (job.uniqueWhile !== undefined) body.unique_while = job.uniqueWhile;
  if (job.batch !== undefined) body.batch = wireBatch(job.batch);
  return body;
}

export function wireBackoff(backoff: BackoffInput, field = "backoff"): WireBackoff {
  checkObject(field, backoff, true);
  if (typeof backoff.exponent !== "number" || !Number.isFinite(backoff.exponent)) {
    throw new ZizqArgumentError(`${field}.exponent`, `expected a number, got ${shown(backoff.exponent)}`);
  }
  return {
    exponent: backoff.exponent,
    base_ms: toMs(backoff.baseMs, `${field}.baseMs`),
    jitter_ms: toMs(backoff.jitterMs, `${field}.jitterMs`),
  };
}

/** A batch config: its key, `when` and `fold` are all strings (the server needs all three). */
export function wireBatch(batch: BatchConfig, field = "batch"): WireBatch {
  if (!isObject(batch)) throw new ZizqArgumentError(field, `expected { key, when, fold }, got ${shown(batch)}`);
  for (const key of ["key", "when", "fold"] as const) {
    if (typeof batch[key] !== "string") throw new ZizqArgumentError(`${field}.${key}`, `expected a string, got ${shown(batch[key])}`);
  }
  return { key: batch.key, when: batch.when, fold: batch.fold };
}

/** Retention as given by hand (durations) or as a job reports it (ms). */
export function wireRetention(retention: RetentionInput, field = "retention"): WireRetention {
  checkObject(field, retention, true);
  const wire: WireRetention = {};
  if (retention.completedMs !== undefined) wire.completed_ms = toMs(retention.completedMs, `${field}.completedMs`);
  if (retention.deadMs !== undefined) wire.dead_ms = toMs(retention.deadMs, `${field}.deadMs`);
  return wire;
}

/** The body of `POST /jobs/{id}/failure`. */
export function wireFailure(failure: Failure): Record<string, unknown> {
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
  return body;
}

const PATCH_KEYS = new Set(["queue", "priority", "readyAt", "retryLimit", "backoff", "retention"]);

/** The body of a job's (or a query's) PATCH. */
export function wirePatch(patch: JobPatch): Record<string, unknown> {
  checkObject("patch", patch, true);
  const body: Record<string, unknown> = {};
  for (const key of Object.keys(patch)) {
    if (!PATCH_KEYS.has(key)) throw new ZizqArgumentError(`patch.${key}`, `cannot be patched; patchable: ${[...PATCH_KEYS].join(", ")}`);
  }
  if (patch.queue !== undefined) {
    checkName("patch.queue", patch.queue, "queue");
    body.queue = patch.queue;
  }
  if (patch.priority !== undefined) {
    integerIn("patch.priority", patch.priority, 0, 0xffff);
    body.priority = patch.priority;
  }
  if (patch.readyAt !== undefined) body.ready_at = patch.readyAt === null ? null : toEpochMs(patch.readyAt, "patch.readyAt");
  if (patch.retryLimit !== undefined) {
    if (patch.retryLimit !== null) integerIn("patch.retryLimit", patch.retryLimit, 0, 0xffff_ffff);
    body.retry_limit = patch.retryLimit;
  }
  if (patch.backoff !== undefined) body.backoff = patch.backoff === null ? null : wireBackoff(patch.backoff, "patch.backoff");
  if (patch.retention !== undefined) {
    if (patch.retention === null) body.retention = null;
    else {
      checkObject("patch.retention", patch.retention);
      const retention: Record<string, number | null> = {};
      const { completedMs, deadMs } = patch.retention;
      if (completedMs !== undefined) retention.completed_ms = completedMs === null ? null : toMs(completedMs, "patch.retention.completedMs");
      if (deadMs !== undefined) retention.dead_ms = deadMs === null ? null : toMs(deadMs, "patch.retention.deadMs");
      body.retention = retention;
    }
  }
  return body;
}

export interface WireJobOptions {
  /** Include the payload (take frames, GET /jobs); enqueue and failure answers leave it out. */
  payload?: boolean;
  duplicate?: boolean;
  folded?: boolean;
  /** How the backoff exponent (an f32 on the server) is written; default as is. */
  exponent?: (value: number) => number;
}

/**
 * A job in the server's wire shape, keys in the server's order and optional keys left out: the
 * test server's answers, and the body a push relay delivers.
 */
export function wireJob(job: Job<unknown>, options: WireJobOptions = {}): WireJob {
  // Built in the server's key order; the cast covers the keys filled in just below.
  const wire = { id: job.id, type: job.type, queue: job.queue, priority: job.priority, status: job.status } as WireJob;
  if (options.payload) wire.payload = job.payload;
  wire.ready_at = job.readyAt;
  wire.attempts = job.attempts;
  if (job.retryLimit !== undefined) wire.retry_limit = job.retryLimit;
  if (job.backoff) {
    const exponent = options.exponent ? options.exponent(job.backoff.exponent) : job.backoff.exponent;
    wire.backoff = { exponent, base_ms: job.backoff.baseMs, jitter_ms: job.backoff.jitterMs };
  }
  if (job.dequeuedAt !== undefined) wire.dequeued_at = job.dequeuedAt;
  if (job.failedAt !== undefined) wire.failed_at = job.failedAt;
  if (job.retention) wire.retention = wireRetention(job.retention);
  if (job.purgeAt !== undefined) wire.purge_at = job.purgeAt;
  if (job.completedAt !== undefined) wire.completed_at = job.completedAt;
  if (job.uniqueKey !== undefined) wire.unique_key = job.uniqueKey;
  if (job.uniqueWhile !== undefined) wire.unique_while = job.uniqueWhile;
  if (options.duplicate !== undefined) wire.duplicate = options.duplicate;
  if (options.folded !== undefined) wire.folded = options.folded;
  if (job.batch) wire.batch = { key: job.batch.key, when: job.batch.when, fold: job.batch.fold };
  return wire;
}
