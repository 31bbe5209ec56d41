import type { BudgetBinding } from "./budget.ts";

/** Where a job is in its life: scheduled, ready, in_flight, completed or dead. */
export type JobStatus = "scheduled" | "ready" | "in_flight" | "completed" | "dead";

/** How long a unique key blocks duplicates: while the job is queued, active, or exists at all. */
export type UniqueWhile = "queued" | "active" | "exists";

/** Retry delay: `attempts^exponent` seconds, plus `baseMs`, plus up to `jitterMs × attempts`. */
export interface Backoff {
  exponent: number;
  baseMs: number;
  jitterMs: number;
}

/** How long finished jobs stay visible; 0 removes them at once. */
export interface Retention {
  completedMs?: number;
  deadMs?: number;
}

/** Batched ("folded") jobs: `when` and `fold` are jq over `$existing` and `$new`. */
export interface BatchConfig {
  key: string;
  when: string;
  fold: string;
}

/** A job's metadata as the server reports it. Timestamps are ms since the epoch. */
export interface JobInfo {
  id: string;
  type: string;
  queue: string;
  priority: number;
  status: JobStatus;
  readyAt: number;
  /** Failures so far. */
  attempts: number;
  retryLimit?: number;
  backoff?: Backoff;
  dequeuedAt?: number;
  failedAt?: number;
  retention?: Retention;
  purgeAt?: number;
  completedAt?: number;
  uniqueKey?: string;
  uniqueWhile?: UniqueWhile;
  batch?: BatchConfig;
  /** The budgets the job draws on (Zizq 0.7), in binding order; empty when none. */
  budgets: BudgetBinding[];
}

/** A job with its payload, as `getJob`, queries and the take stream return it. */
export interface Job<Payload = unknown> extends JobInfo {
  payload: Payload;
}

/** What an enqueue answers: the job (or the existing one it matched) and why. */
export interface EnqueuedJob extends JobInfo {
  /** A unique key matched an existing job; this is that job. */
  duplicate: boolean;
  /** The payload was folded into an open batch job; this is that job. */
  folded: boolean;
}

/** One failed attempt of a job, from its error history. */
export interface ErrorRecord {
  /** The attempt that failed, from 1. */
  attempt: number;
  message: string;
  errorType?: string;
  backtrace?: string;
  dequeuedAt: number;
  failedAt: number;
}
