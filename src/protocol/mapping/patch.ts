/**
 * The body of a job's (or a query's) PATCH.
 */
import { ZizqArgumentError } from "../../errors/argument-error.ts";
import type { JobPatch } from "../../types/patch.ts";
import type { Duration } from "../../types/time.ts";
import { checkObject, renamed } from "../../utils/arguments.ts";
import { toEpochMs, toMs } from "../../utils/duration.ts";
import { integerIn } from "../../utils/integer.ts";
import { checkName } from "../names.ts";
import { wireBackoff } from "./enqueue.ts";

const PATCH_KEYS = new Set(["queue", "priority", "readyAt", "retryLimit", "backoff", "retention"]);

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
      const completed = renamed<Duration | null>(patch.retention, "completed", "completedMs", "patch.retention.");
      const dead = renamed<Duration | null>(patch.retention, "dead", "deadMs", "patch.retention.");
      if (completed !== undefined) retention.completed_ms = completed.value === null ? null : toMs(completed.value, completed.field);
      if (dead !== undefined) retention.dead_ms = dead.value === null ? null : toMs(dead.value, dead.field);
      body.retention = retention;
    }
  }
  return body;
}
