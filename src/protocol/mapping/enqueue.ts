/**
 * The `POST /jobs` body: enqueue options in the server's terms, durations and instants in ms.
 * Each mapper refuses what the server would refuse, naming the field, before anything is sent.
 */
import { ZizqArgumentError } from "../../errors/argument-error.ts";
import type { BackoffInput, EnqueueOptions, JobOptions, RetentionInput } from "../../types/enqueue.ts";
import type { BatchConfig } from "../../types/job.ts";
import type { Duration } from "../../types/time.ts";
import { checkObject, isObject, renamed, shown } from "../../utils/arguments.ts";
import { toEpochMs, toMs } from "../../utils/duration.ts";
import type { WireBackoff, WireBatch, WireEnqueue, WireRetention } from "../wire.ts";

/** The options a job type may default; `defineJob` takes these besides its own keys. */
export const JOB_OPTION_KEYS = ["priority", "retryLimit", "backoff", "retention", "budgets"] as const satisfies readonly (keyof JobOptions)[];

/** Every enqueue option: any other key (the server's `ready_at`) is refused, not ignored. */
export const ENQUEUE_OPTION_KEYS = [
  ...JOB_OPTION_KEYS,
  "readyAt",
  "delay",
  "uniqueKey",
  "uniqueWhile",
  "batch",
] as const satisfies readonly (keyof EnqueueOptions)[];

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
  return { exponent: backoff.exponent, base_ms: givenMs(backoff, "base", "baseMs", field), jitter_ms: givenMs(backoff, "jitter", "jitterMs", field) };
}

/** A batch config: its key, `when` and `fold` are all strings (the server needs all three). */
export function wireBatch(batch: BatchConfig, field = "batch"): WireBatch {
  if (!isObject(batch)) throw new ZizqArgumentError(field, `expected { key, when, fold }, got ${shown(batch)}`);
  for (const key of ["key", "when", "fold"] as const) {
    if (typeof batch[key] !== "string") throw new ZizqArgumentError(`${field}.${key}`, `expected a string, got ${shown(batch[key])}`);
  }
  return { key: batch.key, when: batch.when, fold: batch.fold };
}

/** Retention as given by hand (durations, or ms under the deprecated `*Ms` names, as a job reports it). */
export function wireRetention(retention: RetentionInput, field = "retention"): WireRetention {
  checkObject(field, retention, true);
  const wire: WireRetention = {};
  const completed = renamed<Duration>(retention, "completed", "completedMs", `${field}.`);
  const dead = renamed<Duration>(retention, "dead", "deadMs", `${field}.`);
  if (completed !== undefined) wire.completed_ms = toMs(completed.value, completed.field);
  if (dead !== undefined) wire.dead_ms = toMs(dead.value, dead.field);
  return wire;
}

/** A required duration given by its name or its deprecated `*Ms` one, in ms. */
function givenMs(options: object, name: string, old: string, field: string): number {
  const given = renamed<Duration>(options, name, old, `${field}.`);
  if (given === undefined) throw new ZizqArgumentError(`${field}.${name}`, "expected a duration such as \"15s\" or a number of ms");
  return toMs(given.value, given.field);
}
