import type { Job, Retention } from "../../client/types.ts";
import type { WireErrorRecord, WireJob } from "../../protocol/wire.ts";

/** Whoever holds an in-flight job: a take stream. */
export interface Holder {
  release(job: StoredJob): void;
}

/** A job as the test server keeps it: the client's view of a job, plus what the server tracks. */
export interface StoredJob extends Job {
  errors: WireErrorRecord[];
  /** The take stream holding the job while it is in flight, and the attempts it was taken at. */
  holder?: Holder;
  heldAttempts?: number;
  /** Bumped whenever the job's place in the ready or scheduled index changes, to retire old entries. */
  version: number;
}

/** The JSON form of a backoff exponent: serde prints an f32 by its shortest decimal. */
export function f32Decimal(value: number): number {
  const single = Math.fround(value);
  for (let digits = 1; digits < 10; digits++) {
    const candidate = Number(single.toPrecision(digits));
    if (Math.fround(candidate) === single) return candidate;
  }
  return single;
}

export interface ViewOptions {
  payload?: boolean;
  /** MessagePack carries the exponent as a float32, which decodes to its exact single value. */
  msgpack?: boolean;
  duplicate?: boolean;
  folded?: boolean;
}

/** The wire form of a job, keys in the server's order and optional keys left out. */
export function jobView(job: StoredJob, options: ViewOptions = {}): WireJob {
  // Built in the server's key order; the cast covers the keys filled in just below.
  const view = { id: job.id, type: job.type, queue: job.queue, priority: job.priority, status: job.status } as WireJob;
  if (options.payload) view.payload = job.payload;
  view.ready_at = job.readyAt;
  view.attempts = job.attempts;
  if (job.retryLimit !== undefined) view.retry_limit = job.retryLimit;
  if (job.backoff) {
    const exponent = options.msgpack ? Math.fround(job.backoff.exponent) : f32Decimal(job.backoff.exponent);
    view.backoff = { exponent, base_ms: job.backoff.baseMs, jitter_ms: job.backoff.jitterMs };
  }
  if (job.dequeuedAt !== undefined) view.dequeued_at = job.dequeuedAt;
  if (job.failedAt !== undefined) view.failed_at = job.failedAt;
  if (job.retention) view.retention = retentionView(job.retention);
  if (job.purgeAt !== undefined) view.purge_at = job.purgeAt;
  if (job.completedAt !== undefined) view.completed_at = job.completedAt;
  if (job.uniqueKey !== undefined) view.unique_key = job.uniqueKey;
  if (job.uniqueWhile !== undefined) view.unique_while = job.uniqueWhile;
  if (options.duplicate !== undefined) view.duplicate = options.duplicate;
  if (options.folded !== undefined) view.folded = options.folded;
  if (job.batch) view.batch = { key: job.batch.key, when: job.batch.when, fold: job.batch.fold };
  return view;
}

export function retentionView(retention: Retention): NonNullable<WireJob["retention"]> {
  const view: NonNullable<WireJob["retention"]> = {};
  if (retention.completedMs !== undefined) view.completed_ms = retention.completedMs;
  if (retention.deadMs !== undefined) view.dead_ms = retention.deadMs;
  return view;
}
