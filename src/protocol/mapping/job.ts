/**
 * Jobs and error records as the server reports them, in the library's shapes. Payloads pass
 * through untouched.
 */
import type { BudgetBinding } from "../../types/budget.ts";
import type { Backoff, EnqueuedJob, ErrorRecord, Job, JobInfo, Retention } from "../../types/job.ts";
import type { WireBackoff, WireBudgetBinding, WireErrorRecord, WireJob, WireRetention } from "../wire.ts";

export function jobInfo(wire: WireJob): JobInfo {
  const job: JobInfo = {
    id: wire.id,
    type: wire.type,
    queue: wire.queue,
    priority: wire.priority,
    status: wire.status,
    readyAt: wire.ready_at,
    attempts: wire.attempts,
    budgets: budgetBindings(wire.budgets),
  };
  if (wire.retry_limit != null) job.retryLimit = wire.retry_limit;
  if (wire.backoff) job.backoff = backoff(wire.backoff);
  if (wire.dequeued_at != null) job.dequeuedAt = wire.dequeued_at;
  if (wire.failed_at != null) job.failedAt = wire.failed_at;
  if (wire.retention) job.retention = retention(wire.retention);
  if (wire.purge_at != null) job.purgeAt = wire.purge_at;
  if (wire.completed_at != null) job.completedAt = wire.completed_at;
  if (wire.unique_key != null) job.uniqueKey = wire.unique_key;
  if (wire.unique_while != null) job.uniqueWhile = wire.unique_while;
  if (wire.batch) job.batch = { key: wire.batch.key, when: wire.batch.when, fold: wire.batch.fold };
  return job;
}

export function job<Payload = unknown>(wire: WireJob): Job<Payload> {
  const converted = jobInfo(wire) as Job<Payload>;
  converted.payload = wire.payload as Payload;
  return converted;
}

export function enqueuedJob(wire: WireJob): EnqueuedJob {
  const converted = jobInfo(wire) as EnqueuedJob;
  converted.duplicate = wire.duplicate === true;
  converted.folded = wire.folded === true;
  return converted;
}

/** A job's or template's bindings; an empty array when the server left the key out (Zizq 0.6, or none). */
export function budgetBindings(wire: readonly WireBudgetBinding[] | undefined): BudgetBinding[] {
  return wire ? wire.map((binding) => ({ key: binding.key, cost: binding.cost })) : [];
}

export function backoff(wire: WireBackoff): Backoff {
  return { exponent: wire.exponent, baseMs: wire.base_ms, jitterMs: wire.jitter_ms };
}

export function retention(wire: WireRetention): Retention {
  const out: Retention = {};
  if (wire.completed_ms != null) out.completedMs = wire.completed_ms;
  if (wire.dead_ms != null) out.deadMs = wire.dead_ms;
  return out;
}

export function errorRecord(wire: WireErrorRecord): ErrorRecord {
  const record: ErrorRecord = {
    attempt: wire.attempt,
    message: wire.message,
    dequeuedAt: wire.dequeued_at,
    failedAt: wire.failed_at,
  };
  if (wire.error_type != null) record.errorType = wire.error_type;
  if (wire.backtrace != null) record.backtrace = wire.backtrace;
  return record;
}
