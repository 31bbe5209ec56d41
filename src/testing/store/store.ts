import type { UniqueWhile } from "../../protocol/wire.ts";
import type { EnqueueInput, FailureInput, PatchInput } from "../http/requests.ts";
import type { Jq } from "../jq.ts";
import type { Backoff } from "../../types/job.ts";
import { fold, foldsInto, need, validateBatch } from "./batch.ts";
import { type JobFilter, scanJobs, type SelectOptions } from "./filter.ts";
import { byPriorityThenId, byReadyAtThenId, JobHeap, QueueHeaps } from "./job-heaps.ts";
import { type Holder, isTerminal, newJob, type StoredJob } from "./job.ts";
import { applyPatch, backoffMs } from "./patch.ts";
import { collides, KeyIndex, type Undo } from "./keys.ts";
import { compareUtf8, storedPayload } from "./payload.ts";
import type { BudgetBinding, Budgets } from "./budgets.ts";
import { Throttle } from "./throttle.ts";

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
  /** Room was freed (a job left flight) or a parked job may now pay its budgets: any idle stream may claim. */
  released(): void;
}

export type EnqueueResult = { job: StoredJob; duplicate: boolean; folded: boolean };

const UNHEARD: StoreEvents = { ready() {}, released() {} };

/**
 * The job store: every job in id (= enqueue) order, a ready index per queue ordered by
 * (priority, id), a scheduled index ordered by ready_at, the unique and batch indexes, and the
 * throttle where ready jobs bound to budgets wait until their budgets can pay.
 */
export class JobStore {
  /** Insertion order is id order: ids are minted increasing and never reused. */
  private readonly jobs = new Map<string, StoredJob>();
  private readonly ready = new QueueHeaps();
  private readonly scheduled = new JobHeap(byReadyAtThenId, "scheduled");
  private readonly uniqueKeys = new KeyIndex();
  /** Batch key → the pending job it folds into; a take removes the entry, so a requeue never reopens it. */
  private readonly openBatches = new KeyIndex();
  private readonly throttle: Throttle;
  private events = UNHEARD;
  #inFlight = 0;

  constructor(
    private readonly config: StoreConfig,
    private readonly budgets: Budgets,
  ) {
    this.throttle = new Throttle(budgets);
  }

  /** Who hears about ready jobs and freed capacity (the take streams), wired once both exist. */
  subscribe(events: StoreEvents): void {
    this.events = events;
  }

  /** Jobs in flight across every take stream. */
  get inFlight(): number {
    return this.#inFlight;
  }

  // --- enqueue ---

  /**
   * Enqueues a request's jobs in order, each drawing on its resolved `bindings` (same index).
   * Batch expressions are checked for every item first, so a bad one rejects the whole request
   * before anything is written.
   */
  enqueue(inputs: readonly EnqueueInput[], jq: Jq | undefined, bindings: readonly BudgetBinding[][] = []): EnqueueResult[] {
    for (const input of inputs) if (input.batch) validateBatch(need(jq), input.batch, input.payload);
    const now = this.config.now();
    // A fold can still fail part-way through a bulk request; the request then writes nothing.
    const undo: Undo = [];
    try {
      return inputs.map((input, i) => this.enqueueOne(input, bindings[i] ?? [], now, jq, undo));
    } catch (error) {
      for (const step of undo.reverse()) step();
      throw error;
    }
  }

  private enqueueOne(input: EnqueueInput, budgets: BudgetBinding[], now: number, jq: Jq | undefined, undo: Undo): EnqueueResult {
    const scope = (input.uniqueWhile as UniqueWhile | undefined) ?? "queued";
    if (input.uniqueKey !== undefined) {
      const holder = this.jobs.get(this.uniqueKeys.get(input.uniqueKey) ?? "");
      if (holder && collides(scope, holder)) return { job: holder, duplicate: true, folded: false };
    }
    const readyAt = input.readyAt ?? now;
    if (input.batch && readyAt <= now) {
      const open = this.openBatch(input.batch.key);
      if (open?.batch) {
        if (foldsInto(need(jq), open.batch, open.payload, input.payload)) {
          const before = open.payload;
          open.payload = storedPayload(fold(need(jq), open.batch, open.payload, input.payload));
          undo.push(() => (open.payload = before));
          return { job: open, duplicate: false, folded: true };
        }
        this.openBatches.set(input.batch.key, undefined, undo);
      }
    }
    const job = newJob(input, budgets, readyAt > now ? "scheduled" : "ready", readyAt);
    if (input.uniqueKey !== undefined) {
      job.uniqueKey = input.uniqueKey;
      job.uniqueWhile = scope;
      this.uniqueKeys.set(input.uniqueKey, job.id, undo);
    }
    if (input.batch) {
      job.batch = { ...input.batch };
      if (job.status === "ready") this.openBatches.set(input.batch.key, job.id, undo);
    }
    this.jobs.set(job.id, job);
    undo.push(() => this.jobs.delete(job.id) && job.version++);
    this.place(job);
    return { job, duplicate: false, folded: false };
  }

  /** The pending job a batch key folds into; an entry whose job is gone or not ready is dropped. */
  private openBatch(key: string): StoredJob | undefined {
    const job = this.jobs.get(this.openBatches.get(key) ?? "");
    if (job && job.status === "ready") return job;
    this.openBatches.set(key, undefined);
    return undefined;
  }

  // --- reads ---

  /** Whether a job is visible to GET, list and count: retained jobs vanish at `purge_at`. */
  visible(job: StoredJob, now: number): boolean {
    return job.purgeAt === undefined || job.purgeAt > now;
  }

  /** `visible` at this moment of the clock. */
  private visibleNow(): (job: StoredJob) => boolean {
    const now = this.config.now();
    return (job) => this.visible(job, now);
  }

  /** A job as GET sees it: expired retained jobs are gone. */
  get(id: string): StoredJob | undefined {
    const job = this.jobs.get(id);
    return job && this.visible(job, this.config.now()) ? job : undefined;
  }

  /** A job as PATCH and DELETE see it: still there until the reaper removes it, even expired. */
  find(id: string): StoredJob | undefined {
    return this.jobs.get(id);
  }

  /**
   * Jobs matching a filter, in id order (or reversed), after an exclusive cursor, at most `limit`.
   * The jq `filter` is judged beforehand (it may run on another thread, while the store moves
   * on): `matching` holds the jobs whose payload matched then; others are left out. Without
   * `matching` the jq filter is not applied.
   */
  select(filter: JobFilter, options: SelectOptions): StoredJob[] {
    const selected: StoredJob[] = [];
    const limit = options.limit ?? Infinity;
    if (limit > 0) scanJobs(this.jobs, filter, options, this.visibleNow(), (job) => selected.push(job) < limit);
    return selected;
  }

  /** How many jobs `select` would answer without a limit, counted without collecting them. */
  count(filter: JobFilter, options: SelectOptions): number {
    let count = 0;
    scanJobs(this.jobs, filter, options, this.visibleNow(), () => ++count > 0);
    return count;
  }

  queues(): string[] {
    const names = new Set<string>();
    for (const job of this.jobs.values()) names.add(job.queue);
    return [...names].sort(compareUtf8);
  }

  // --- take ---

  /** The job a take on `queues` claims next (of those `accept` passes, when given), left where it is. */
  next(queues: ReadonlySet<string>, accept?: (job: StoredJob) => boolean): StoredJob | undefined {
    const plain = this.ready.best(queues, accept);
    const throttled = this.throttle.next(queues, this.config.now(), accept);
    return throttled && (!plain || byPriorityThenId(throttled, plain)) ? throttled : plain;
  }

  /** Claims up to `count` ready jobs from the given queues (all when empty) in (priority, id) order. */
  take(queues: ReadonlySet<string>, count: number, holder: Holder, accept?: (job: StoredJob) => boolean): StoredJob[] {
    const now = this.config.now();
    const taken: StoredJob[] = [];
    while (taken.length < count) {
      const job = this.next(queues, accept);
      if (!job) break;
      // Only jobs bound to budgets are parked in the throttle.
      if (job.budgets.length > 0) this.throttle.debit(job, now);
      job.version++;
      job.status = "in_flight";
      job.dequeuedAt = now;
      job.holder = holder;
      job.heldAttempts = job.attempts;
      this.#inFlight++;
      if (job.uniqueKey !== undefined && job.uniqueWhile === "queued") this.uniqueKeys.release(job.uniqueKey, job.id);
      if (job.batch) this.openBatches.release(job.batch.key, job.id);
      taken.push(job);
    }
    this.ready.dropEmpty();
    return taken;
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
    if (job.uniqueKey !== undefined && job.uniqueWhile === "active") this.uniqueKeys.release(job.uniqueKey, job.id);
    const keepMs = job.retention?.completedMs ?? this.config.defaultCompletedMs;
    // Set even when it is removed at once: the test helpers' record keeps the job as it ended.
    job.status = "completed";
    job.completedAt = now;
    if (keepMs === 0) this.remove(job);
    else job.purgeAt = now + keepMs;
    return true;
  }

  /** Records a failure and retries, schedules or kills the job; undefined when not in flight. */
  fail(id: string, failure: FailureInput): StoredJob | undefined {
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
      job.readyAt = failure.retryAt ?? now + backoffMs(job, this.config.defaultBackoff, this.config.random);
      job.status = "scheduled";
      if (job.uniqueKey !== undefined && job.uniqueWhile === "queued" && !this.uniqueKeys.has(job.uniqueKey)) {
        this.uniqueKeys.set(job.uniqueKey, job.id);
      }
      this.place(job);
      return job;
    }
    job.status = "dead";
    if (job.uniqueKey !== undefined && job.uniqueWhile === "active") this.uniqueKeys.release(job.uniqueKey, job.id);
    const keepMs = job.retention?.deadMs ?? this.config.defaultDeadMs;
    if (keepMs === 0) this.remove(job);
    else job.purgeAt = now + keepMs;
    return job;
  }

  private leaveInFlight(job: StoredJob, releaseHolder: boolean): void {
    this.#inFlight--;
    this.throttle.release(job);
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
    const wasReady = job.status === "ready";
    applyPatch(job, patch, this.config.now());
    if (job.status === "in_flight") return;
    // Only a scheduled job turning ready wakes take streams; a job that stays ready waits for
    // the next wake-up, as on the server.
    this.place(job, !wasReady && job.status === "ready");
  }

  // --- delete / reset ---

  /** Deletes a job in any status, even an expired one not yet reaped. */
  delete(job: StoredJob): void {
    const parked = job.status === "ready" && job.budgets.length > 0;
    if (job.status === "in_flight") this.leaveInFlight(job, true);
    this.remove(job);
    // A parked head left the line: the job behind it may be able to pay.
    if (parked) this.events.released();
  }

  reset(): void {
    for (const job of [...this.jobs.values()]) this.delete(job);
    this.ready.clear();
    this.scheduled.clear();
    this.throttle.clear();
    this.budgets.clear();
    this.uniqueKeys.clear();
    this.openBatches.clear();
  }

  private remove(job: StoredJob): void {
    job.version++;
    this.jobs.delete(job.id);
    this.throttle.unpark(job);
    if (job.uniqueKey !== undefined) this.uniqueKeys.release(job.uniqueKey, job.id);
    if (job.batch) this.openBatches.release(job.batch.key, job.id);
  }

  // --- time ---

  /** Files a job under the index its status calls for, retiring the entries it had. */
  private place(job: StoredJob, wake = true): void {
    job.version++;
    if (job.status === "scheduled") {
      this.scheduled.push(job);
    } else if (job.status === "ready") {
      if (job.budgets.length > 0) this.throttle.park(job);
      else this.ready.push(job);
      if (wake) this.events.ready(job.queue);
    }
  }

  /** Moves due scheduled jobs to ready; they keep their id, so they keep their place in line. */
  promoteDue(): void {
    const now = this.config.now();
    for (let job = this.scheduled.top(); job && job.readyAt <= now; job = this.scheduled.top()) {
      this.scheduled.pop();
      job.status = "ready";
      this.place(job);
    }
  }

  /** Wakes idle streams when a parked job's budgets can pay by now (a drip came due). */
  wakeThrottled(): void {
    if (this.throttle.anyAffordable(this.config.now())) this.events.released();
  }

  /** When the next scheduled job falls due or a parked job's drip comes due, if ever. */
  nextDue(): number | undefined {
    const scheduled = this.scheduled.top()?.readyAt;
    const drip = this.throttle.nextAffordableAt(this.config.now());
    return scheduled === undefined ? drip : drip === undefined ? scheduled : Math.min(scheduled, drip);
  }

  // --- budgets ---

  /** The costs unfinished jobs draw from a budget: what its delete and shrink guards count. */
  costsDrawnOn(key: string): number[] {
    const costs: number[] = [];
    for (const job of this.jobs.values()) {
      if (isTerminal(job)) continue;
      for (const binding of job.budgets) if (binding.key === key) costs.push(binding.cost);
    }
    return costs;
  }

  /** New bindings for a queued job; a ready one moves between budget queues at once. */
  rebind(job: StoredJob, budgets: BudgetBinding[]): void {
    this.throttle.unpark(job);
    job.budgets = budgets;
    if (job.status !== "ready") return;
    this.place(job, false);
    this.events.released();
  }

  /** Budget policies changed (or their live state was reset): parked jobs may be able to go. */
  budgetsChanged(): void {
    this.throttle.wakeAll();
    this.events.released();
  }

  /** Physically removes completed and dead jobs whose retention ran out. */
  reap(): void {
    const now = this.config.now();
    for (const job of [...this.jobs.values()]) if (job.purgeAt !== undefined && job.purgeAt <= now) this.remove(job);
  }
}
