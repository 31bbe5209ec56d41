import { ZizqArgumentError } from "../errors/argument-error.ts";
import type { BackoffInput } from "../job/define-job.ts";
import { wireBackoff } from "../job/enqueue-body.ts";
import { checkName, checkObject } from "../utils/arguments.ts";
import { toEpochMs, toMs } from "../utils/duration.ts";
import { integerIn } from "../utils/integer.ts";
import type { Duration, Instant } from "./types.ts";

/**
 * A change to a job that has not finished. A key left out changes nothing; `null` clears the
 * job's own setting (back to the server default), or, for `readyAt`, makes a scheduled job
 * ready now. Type, payload and unique key cannot change.
 */
export interface JobPatch {
  queue?: string;
  priority?: number;
  readyAt?: Instant | null;
  retryLimit?: number | null;
  backoff?: BackoffInput | null;
  /** Merged key by key: a key left out is unchanged, `null` clears it. */
  retention?: { completedMs?: Duration | null; deadMs?: Duration | null } | null;
}

const PATCH_KEYS = new Set(["queue", "priority", "readyAt", "retryLimit", "backoff", "retention"]);

/** The PATCH body; refuses what the server would refuse, before anything is sent. */
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
