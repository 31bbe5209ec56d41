/**
 * A whole job in the server's wire shape: the test server's answers and the body a push relay
 * delivers.
 */
import type { Job } from "../../types/job.ts";
import type { WireJob } from "../wire.ts";
import { wireRetention } from "./enqueue.ts";

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
  // Zizq 0.7 leaves the key out, rather than sending [], for a job that draws on no budget.
  if (job.budgets.length > 0) wire.budgets = job.budgets.map((binding) => ({ key: binding.key, cost: binding.cost }));
  return wire;
}
