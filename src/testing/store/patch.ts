import type { Backoff } from "../../types/job.ts";
import type { PatchInput } from "../http/requests.ts";
import { f32Decimal, type StoredJob } from "./job.ts";

/**
 * Applies a PATCH's fields to a non-terminal job, `ready_at` moving it between scheduled and
 * ready. Filing the job under its new status is the store's part.
 */
export function applyPatch(job: StoredJob, patch: PatchInput, now: number): void {
  if (patch.queue !== undefined && patch.queue !== null) job.queue = patch.queue;
  if (patch.priority !== undefined && patch.priority !== null) job.priority = patch.priority;
  if (patch.retryLimit !== undefined) setOrClear(job, "retryLimit", patch.retryLimit);
  if (patch.backoff !== undefined) {
    setOrClear(job, "backoff", patch.backoff && { ...patch.backoff, exponent: f32Decimal(patch.backoff.exponent) });
  }
  if (patch.retention === null) delete job.retention;
  else if (patch.retention !== undefined) {
    const merged = { ...job.retention };
    if (patch.retention.completedMs !== undefined) setOrClear(merged, "completedMs", patch.retention.completedMs);
    if (patch.retention.deadMs !== undefined) setOrClear(merged, "deadMs", patch.retention.deadMs);
    if (merged.completedMs === undefined && merged.deadMs === undefined) delete job.retention;
    else job.retention = merged;
  }
  if (patch.readyAt === null) {
    if (job.status === "scheduled") {
      job.readyAt = now;
      job.status = "ready";
    }
  } else if (patch.readyAt !== undefined) {
    job.readyAt = patch.readyAt;
    if (job.status === "ready" && patch.readyAt > now) job.status = "scheduled";
    else if (job.status === "scheduled" && patch.readyAt <= now) job.status = "ready";
  }
}

/** `attempts^exponent` seconds, plus the base, plus jitter that grows with attempts. */
export function backoffMs(job: StoredJob, fallback: Backoff, random: () => number): number {
  const { exponent, baseMs, jitterMs } = job.backoff ?? fallback;
  const single = Math.fround(exponent);
  return Math.floor(job.attempts ** single * 1000 + baseMs + random() * jitterMs * job.attempts);
}

function setOrClear<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | null): void {
  if (value === null) delete target[key];
  else target[key] = value;
}
