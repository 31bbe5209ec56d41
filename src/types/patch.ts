import type { BackoffInput, RetentionInput } from "./enqueue.ts";
import type { Instant } from "./time.ts";

/**
 * A change to a job that has not finished. A key left out changes nothing; `null` clears the
 * job's own setting (back to the server default), or, for `readyAt`, makes a scheduled job
 * ready now. Type, payload and unique key cannot change.
 *
 * @example
 * ```ts
 * await client.patchJob(id, { priority: 0, readyAt: null });
 * ```
 */
export interface JobPatch {
  queue?: string;
  priority?: number;
  readyAt?: Instant | null;
  retryLimit?: number | null;
  backoff?: BackoffInput | null;
  /** Merged key by key: a key left out is unchanged, `null` clears it. */
  retention?: { [Key in keyof RetentionInput]?: RetentionInput[Key] | null } | null;
}
