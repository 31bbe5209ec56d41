import { scru128String } from "scru128";
import type { JobStatus, UniqueWhile } from "../../protocol/wire.ts";
import type { EnqueueInput, PatchInput } from "../http/requests.ts";
import { type Jq, JqError } from "../jq.ts";
import type { Backoff } from "../../types/job.ts";
import { type JobFilter, matchesFields } from "./filter.ts";
import { Heap } from "./heap.ts";
import { f32Decimal, type Holder, type StoredJob } from "./job.ts";
import { compareUtf8, storedPayload } from "./payload.ts";

export const DEFAULT_PRIORITY = 32768;

/** A store refusal the server reports as 422 (its `InvalidOperation`). */
export class InvalidOperation extends Error {}

/** A failure the server can only report as 500 `internal server error`. */
export class InternalError extends Error {}

export interface StoreConfig {
  now(): number;
  random(): number;
  defaultRetryLimit: number;
  defaultBackoff: Backoff;
  defaultCompletedMs: number;
  defaultDeadMs: number;
}

/** What take streams need to hear from the store. */
export interface StoreEvents {
  /** A job became ready in this queue. */
  ready(queue: string): void;
  /** An in-flight job left its holder: capacity was freed on that stream and on the server. */
  released(): void;
}

export interface EnqueueResult {
  job: StoredJob;
  duplicate: boolean;
  folded: boolean;
}

interface Entry {
  job: StoredJob;
  version: number;
}

const byPriorityThenId = (a: Entry, b: Entry) =>
  a.job.priority !== b.job.priority ? a.job.priority < b.job.priority : a.job.id < b.job.id;

const byReadyAtThenId = (a: Entry, b: Entry) =>
  a.job.readyAt !== b.job.readyAt ? a.job.readyAt < b.job.readyAt : a.job.id < b.job.id;

/** Which holder statuses an incoming unique enqueue collides with, by the incoming scope. */
const CONFLICTS: Record<UniqueWhile, ReadonlySet<JobStatus>> = {
  queued: new Set(["scheduled", "ready"]),
  active: new Set(["scheduled", "ready", "in_flight"]),
  exists: new Set(["scheduled", "ready", "in_flight", "completed", "dead"]),
};

/**
 * The job store: every job in id (= enqueue) order, a ready index per queue ordered by
 * (priority, id), a scheduled index ordered by ready_at, and the unique and batch indexes.
 */
export class JobStore {
  /** Insertion order is id order: ids are minted increasing and never reused. */
  readonly jobs = new Map<string, StoredJob>();
  private readonly ready = new Map<string, Heap<Entry>>();
  private readonly scheduled = new Heap<Entry>(byReadyAtThenId);
  private readonly uniqueIndex = new Map<string, string>();
  /** Batch key → the pending job it folds into; a take removes the entry, so a requeue never reopens it. */
  private readonly openBatches = new Map<string, string>();
  inFlight = 0;

  constructor(
    private readonly config: StoreConfig,
    private readonly events: StoreEvents,
  ) {}

  // --- enqueue ---

  /**
   * Enqueues a request's jobs in order. Batch expressions are checked for every item first, so
   * a bad one rejects the whole request before anything is written.
   */
  enqueue(inputs: readonly EnqueueInput[], jq: Jq | undefined): EnqueueResult[] {
    for (const input of inputs) if (input.batch) validateBatch(need(jq), input.batch, input.payload);
    const now = this.config.now();
    // A fold can still fail part-way through a bulk request; the request then writes nothing.
    const undo: Array<() => void> = [];
    try {
      return inputs.map((input) => this.enqueueOne(input, now, jq, undo));
    } catch (error) {
      for (const step of undo.reverse()) step();
      throw error;
    }
  }

  /** Sets or deletes an index entry, recording how to put it back. */
  private setIndex(index: Map<string, string>, key: string, id: string | undefined, undo: Array<() => void>): void {
    const before = index.get(key);
    undo.push(() => (before === undefined ? index.delete(key) : index.set(key, before)));
    if (id === undefined) index.delete(key);
    else index.set(key, id);
  }

  private enqueueOne(input: EnqueueInput, now: number, jq: Jq | undefined, undo: Array<() => void>): EnqueueResult {
    const scope = (input.uniqueWhile as UniqueWhile | undefined) ?? "queued";
    if (input.uniqueKey !== undefined) {
      const holder = this.jobs.get(this.uniqueIndex.get(input.uniqueKey) ?? "");
      if (holder && CONFLICTS[scope].has(holder.status)) return { job: holder, duplicate: true, folded: false };
    }
    const readyAt = input.readyAt ?? now;
    if (input.batch && readyAt <= now) {
      const open = this.openBatch(input.batch.key);
      if (open && open.batch) {
        if (truthy(tryFirst(need(jq), open.batch.when, open.payload, input.payload))) {
          const before = open.payload;
          open.payload = storedPayload(fold(need(jq), open.batch.fold, open.payload, input.payload));
          undo.push(() => (open.payload = before));
          return { job: open, duplicate: false, folded: true };
        }
        this.setIndex(this.openBatches, input.batch.key, undefined, undo);
      }
    }
    const job: StoredJob = {
      id: scru128String(),
      type: input.type,
      queue: input.queue,
      priority: input.priority ?? DEFAULT_PRIORITY,
      status: readyAt > now ? "scheduled" : "ready",
      payload: storedPayload(input.payload),
      readyAt,
      attempts: 0,
      errors: [],
      version: 0,
    };
    if (input.retryLimit !== undefined) job.retryLimit = input.retryLimit;
    if (input.backoff) job.backoff = { ...input.backoff, exponent: f32Decimal(input.backoff.exponent) };
    if (input.retention) job.retention = { ...input.retention };
    if (input.uniqueKey !== undefined) {
      job.uniqueKey = input.uniqueKey;
      job.uniqueWhile = scope;
      this.setIndex(this.uniqueIndex, input.uniqueKey, job.id, undo);
    }
    if (input.batch) {
      job.batch = { ...input.batch };
      if (job.status === "ready") this.setIndex(this.openBatches, input.batch.key, job.id, undo);
    }
    this.jobs.set(job.id, job);
    undo.push(() => {
      job.version++;
      this.jobs.delete(job.id);
    });
    this.place(job);
    return { job, duplicate: false, folded: false };
  }

  /** The pending job a batch key folds into; an entry whose job is gone or not ready is dropped. */
  private openBatch(key: string): StoredJob | undefined {
    const job = this.jobs.get(this.openBatches.get(key) ?? "");
    if (job && job.status === "ready") return job;
    this.openBatches.delete(key);
    return undefined;
  }

  // --- reads ---

  /** Whether a job is visible to GET, list and count: retained jobs vanish at `purge_at`. */
  visible(job: StoredJob, now: number): boolean {
    return job.purgeAt === undefined || job.purgeAt > now;
  }

  get(id: string): StoredJob | undefined {
    const job = this.jobs.get(id);
    return job && this.visible(job, this.config.now()) ? job : undefined;
  }

  /**
   * Jobs matching a filter, in id order (or reversed), after an exclusive cursor, at most `limit`.
   * The jq `filter` is judged beforehand (it may run on another thread, while the store moves
   * on): `matching` holds the jobs whose payload matched then; others are left out. Without
   * `matching` the jq filter is not applied.
   */
  select(
    filter: JobFilter,
    options: { matching?: ReadonlySet<StoredJob>; visibleOnly: boolean; descending?: boolean; from?: string; limit?: number },
  ): StoredJob[] {
    const now = this.config.now();
    const { from, descending } = options;
    const all = [...this.jobs.values()];
    if (descending) all.reverse();
    const { matching } = options;
    if (filter.filter !== undefined && matching === undefined) throw new InternalError("the jq filter was not judged");
    const jobs = all.filter(
      (job) =>
        (!options.visibleOnly || this.visible(job, now)) &&
        (from === undefined || (descending ? job.id < from : job.id > from)) &&
        matchesFields(job, filter) &&
        (matching === undefined || matching.has(job)),
    );
    return options.limit === undefined ? jobs : jobs.slice(0, options.limit);
  }

  queues(): string[] {
    const names = new Set<string>();
    for (const job of this.jobs.values()) names.add(job.queue);
    return [...names].sort(compareUtf8);
  }

  // --- take ---

  /** Claims up to `count` ready jobs from the given queues (all when empty) in (priority, id) order. */
  take(queues: ReadonlySet<string>, count: number, holder: Holder): StoredJob[] {
    const now = this.config.now();
    const taken: StoredJob[] = [];
    while (taken.length < count) {
      let best: Heap<Entry> | undefined;
      let bestEntry: Entry | undefined;
      const consider = (heap: Heap<Entry> | undefined) => {
        const entry = heap && this.liveTop(heap);
        if (entry && (!bestEntry || byPriorityThenId(entry, bestEntry))) {
          best = heap;
          bestEntry = entry;
        }
      };
      if (queues.size === 0) for (const heap of this.ready.values()) consider(heap);
      else for (const queue of queues) consider(this.ready.get(queue));
      if (!best || !bestEntry) break;
      best.pop();
      const job = bestEntry.job;
      job.version++;
      job.status = "in_flight";
      job.dequeuedAt = now;
      job.holder = holder;
      job.heldAttempts = job.attempts;
      this.inFlight++;
      if (job.uniqueKey !== undefined && job.uniqueWhile === "queued") this.freeUnique(job);
      if (job.batch && this.openBatches.get(job.batch.key) === job.id) this.openBatches.delete(job.batch.key);
      taken.push(job);
    }
    this.dropEmptyQueues();
    return taken;
  }

  /** The top entry of a ready heap that still describes its job; stale ones are discarded. */
  private liveTop(heap: Heap<Entry>): Entry | undefined {
    for (let entry = heap.peek(); entry; entry = heap.peek()) {
      if (entry.version === entry.job.version && entry.job.status === "ready") return entry;
      heap.pop();
    }
    return undefined;
  }

  private dropEmptyQueues(): void {
    for (const [queue, heap] of this.ready) if (heap.size === 0) this.ready.delete(queue);
  }

  /** A stream closed while holding the job: back to ready with nothing else changed. */
  requeue(job: StoredJob): void {
    if (job.status !== "in_flight" || this.jobs.get(job.id) !== job) return;
    this.leaveInFlight(job, false);
    job.status = "ready";
    this.place(job);
    // The server-wide in-flight count fell: streams held back by the global limit may claim.
    this.events.released();
  }

  // --- ack / fail ---

  /** Completes an in-flight job; false when the id is not in flight. */
  complete(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job || job.status !== "in_flight") return false;
    const now = this.config.now();
    this.leaveInFlight(job, true);
    if (job.uniqueKey !== undefined && job.uniqueWhile === "active") this.freeUnique(job);
    const keepMs = job.retention?.completedMs ?? this.config.defaultCompletedMs;
    if (keepMs === 0) {
      this.remove(job);
    } else {
      job.status = "completed";
      job.completedAt = now;
      job.purgeAt = now + keepMs;
    }
    return true;
  }

  /** Records a failure and retries, schedules or kills the job; undefined when not in flight. */
  fail(
    id: string,
    failure: { message: string; errorType?: string; backtrace?: string; retryAt?: number; kill: boolean },
  ): StoredJob | undefined {
    const job = this.jobs.get(id);
    if (!job || job.status !== "in_flight") return undefined;
    const now = this.config.now();
    this.leaveInFlight(job, true);
    job.attempts++;
    job.failedAt = now;
    job.errors.push({
      attempt: job.attempts,
      message: failure.message,
      ...(failure.errorType === undefined ? {} : { error_type: failure.errorType }),
      ...(failure.backtrace === undefined ? {} : { backtrace: failure.backtrace }),
      dequeued_at: job.dequeuedAt ?? 0,
      failed_at: now,
    });

    const limit = job.retryLimit ?? this.config.defaultRetryLimit;
    if (!failure.kill && (failure.retryAt !== undefined || job.attempts <= limit)) {
      job.readyAt = failure.retryAt ?? now + this.backoffMs(job);
      job.status = "scheduled";
      if (job.uniqueKey !== undefined && job.uniqueWhile === "queued" && !this.uniqueIndex.has(job.uniqueKey)) {
        this.uniqueIndex.set(job.uniqueKey, job.id);
      }
      this.place(job);
      return job;
    }
    job.status = "dead";
    if (job.uniqueKey !== undefined && job.uniqueWhile === "active") this.freeUnique(job);
    const keepMs = job.retention?.deadMs ?? this.config.defaultDeadMs;
    if (keepMs === 0) this.remove(job);
    else job.purgeAt = now + keepMs;
    return job;
  }

  /** `attempts^exponent` seconds, plus the base, plus jitter that grows with attempts. */
  private backoffMs(job: StoredJob): number {
    const { exponent, baseMs, jitterMs } = job.backoff ?? this.config.defaultBackoff;
    const single = Math.fround(exponent);
    return Math.floor(job.attempts ** single * 1000 + baseMs + this.config.random() * jitterMs * job.attempts);
  }

  private leaveInFlight(job: StoredJob, releaseHolder: boolean): void {
    this.inFlight--;
    const holder = job.holder;
    job.holder = undefined;
    job.heldAttempts = undefined;
    if (releaseHolder && holder) {
      holder.release(job);
      this.events.released();
    }
  }

  // --- patch ---

  /** Applies a PATCH to a non-terminal job. The caller has checked the body and the status. */
  patch(job: StoredJob, patch: PatchInput): void {
    const now = this.config.now();
    const wasReady = job.status === "ready";
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
    if (job.status === "in_flight") return;
    // Only a scheduled job turning ready wakes take streams; a job that stays ready waits for
    // the next wake-up, as on the server.
    this.place(job, !wasReady && job.status === "ready");
  }

  // --- delete / reset ---

  /** Deletes a job in any status, even an expired one not yet reaped. */
  delete(job: StoredJob): void {
    if (job.status === "in_flight") this.leaveInFlight(job, true);
    this.remove(job);
  }

  reset(): void {
    for (const job of [...this.jobs.values()]) this.delete(job);
    this.ready.clear();
    this.scheduled.clear();
    this.uniqueIndex.clear();
    this.openBatches.clear();
  }

  private remove(job: StoredJob): void {
    job.version++;
    this.jobs.delete(job.id);
    if (job.uniqueKey !== undefined) this.freeUnique(job);
    if (job.batch && this.openBatches.get(job.batch.key) === job.id) this.openBatches.delete(job.batch.key);
  }

  private freeUnique(job: StoredJob): void {
    if (job.uniqueKey !== undefined && this.uniqueIndex.get(job.uniqueKey) === job.id) {
      this.uniqueIndex.delete(job.uniqueKey);
    }
  }

  // --- time ---

  /** Files a job under the index its status calls for, retiring the entries it had. */
  private place(job: StoredJob, wake = true): void {
    job.version++;
    const entry = { job, version: job.version };
    if (job.status === "scheduled") {
      this.scheduled.push(entry);
    } else if (job.status === "ready") {
      let heap = this.ready.get(job.queue);
      if (!heap) this.ready.set(job.queue, (heap = new Heap(byPriorityThenId)));
      heap.push(entry);
      if (wake) this.events.ready(job.queue);
    }
  }

  /** Moves due scheduled jobs to ready; they keep their id, so they keep their place in line. */
  promoteDue(): void {
    const now = this.config.now();
    for (let entry = this.scheduled.peek(); entry; entry = this.scheduled.peek()) {
      const live = entry.version === entry.job.version && entry.job.status === "scheduled";
      if (live && entry.job.readyAt > now) return;
      this.scheduled.pop();
      if (!live) continue;
      entry.job.status = "ready";
      this.place(entry.job);
    }
  }

  /** When the next scheduled job falls due, if any. */
  nextDue(): number | undefined {
    for (let entry = this.scheduled.peek(); entry; entry = this.scheduled.peek()) {
      if (entry.version === entry.job.version && entry.job.status === "scheduled") return entry.job.readyAt;
      this.scheduled.pop();
    }
    return undefined;
  }

  /** Physically removes completed and dead jobs whose retention ran out. */
  reap(): void {
    const now = this.config.now();
    for (const job of [...this.jobs.values()]) if (job.purgeAt !== undefined && job.purgeAt <= now) this.remove(job);
  }
}

function setOrClear<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | null): void {
  if (value === null) delete target[key];
  else target[key] = value;
}

const truthy = (value: unknown) => value !== undefined && value !== null && value !== false;

function need(jq: Jq | undefined): Jq {
  if (!jq) throw new InternalError("jq is not loaded");
  return jq;
}

/** `when` at fold time: a runtime error counts as falsy, so a broken predicate only seals. */
function tryFirst(jq: Jq, expr: string, existing: unknown, incoming: unknown): unknown {
  try {
    return jq.first(expr, existing, incoming);
  } catch {
    return undefined;
  }
}

function fold(jq: Jq, expr: string, existing: unknown, incoming: unknown): unknown {
  let outputs: unknown[];
  try {
    outputs = jq.firstTwo(expr, existing, incoming);
  } catch (error) {
    throw new InternalError(`fold expression failed at runtime: ${(error as Error).message}`);
  }
  if (outputs.length !== 1) throw new InternalError("fold expression produced the wrong number of outputs");
  return outputs[0];
}

/** Compiles both expressions and dry-runs them with the payload as `$existing` and `$new`. */
export function validateBatch(jq: Jq, batch: { when: string; fold: string }, payload: unknown): void {
  for (const [name, expr] of [
    ["when", batch.when],
    ["fold", batch.fold],
  ] as const) {
    try {
      jq.compileBatch(expr);
    } catch (error) {
      throw new InvalidOperation(`batch expression: ${name}: ${(error as Error).message}`);
    }
  }
  try {
    jq.first(batch.when, payload, payload);
  } catch (error) {
    if (!(error instanceof JqError)) throw error;
    throw new InvalidOperation(`batch dry-run: when: expression failed at runtime: ${error.message}`);
  }
  let outputs: unknown[];
  try {
    outputs = jq.firstTwo(batch.fold, payload, payload);
  } catch (error) {
    if (!(error instanceof JqError)) throw error;
    throw new InvalidOperation(`batch dry-run: fold: fold expression failed at runtime: ${error.message}`);
  }
  if (outputs.length === 0) throw new InvalidOperation("batch dry-run: fold: fold expression produced no output");
  if (outputs.length > 1) {
    throw new InvalidOperation("batch dry-run: fold: fold expression produced more than one output");
  }
}
