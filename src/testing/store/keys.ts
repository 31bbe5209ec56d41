import type { JobStatus, UniqueWhile } from "../../protocol/wire.ts";
import type { StoredJob } from "./job.ts";

/** Which holder statuses an incoming unique enqueue collides with, by the incoming scope. */
const CONFLICTS: Record<UniqueWhile, ReadonlySet<JobStatus>> = {
  queued: new Set(["scheduled", "ready"]),
  active: new Set(["scheduled", "ready", "in_flight"]),
  exists: new Set(["scheduled", "ready", "in_flight", "completed", "dead"]),
};

/** Steps that put an index back as it was, run in reverse when a bulk request fails part-way. */
export type Undo = Array<() => void>;

/**
 * A key → job id index (unique keys, open batches). `set` records how to put the entry back,
 * so a request that fails part-way writes nothing.
 */
export class KeyIndex {
  private readonly ids = new Map<string, string>();

  get(key: string): string | undefined {
    return this.ids.get(key);
  }

  has(key: string): boolean {
    return this.ids.has(key);
  }

  set(key: string, id: string | undefined, undo?: Undo): void {
    const before = this.ids.get(key);
    undo?.push(() => (before === undefined ? this.ids.delete(key) : this.ids.set(key, before)));
    if (id === undefined) this.ids.delete(key);
    else this.ids.set(key, id);
  }

  /** Drops the entry only while it still points at this job. */
  release(key: string, id: string): void {
    if (this.ids.get(key) === id) this.ids.delete(key);
  }

  clear(): void {
    this.ids.clear();
  }
}

/** Whether a unique enqueue in `scope` is a duplicate of the job holding its key. */
export const collides = (scope: UniqueWhile, holder: StoredJob) => CONFLICTS[scope].has(holder.status);
