import type { JobStatus, UniqueWhile } from "../protocol/wire.ts";
import type { BudgetBinding } from "../types/budget.ts";

/**
 * `JobStatus`: scheduled, ready, in_flight, completed or dead. `UniqueWhile`: how long a unique
 * key blocks duplicates (queued, active or exists).
 */
export type { JobStatus, UniqueWhile };

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

/** A point in time: a `Date` or ms since the epoch. */
export type Instant = Date | number;

/** A length of time: ms, or a string such as `"500ms"`, `"30s"`, `"5m"`, `"2h"`, `"1d"`. */
export type Duration = number | `${number}${"ms" | "s" | "m" | "h" | "d"}`;
