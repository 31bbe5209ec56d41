/**
 * The Zizq wire shapes (0.6.1, and what 0.7 adds), exactly as the server sends and accepts them
 * (snake_case, timestamps in ms since the epoch). The test server speaks these directly.
 *
 * The client converts to and from its camelCase at one boundary, protocol/mapping/: every mapper
 * lives there, in one file per resource, so a bundle takes only the mappers its calls use (a
 * producer: enqueue.ts and job.ts).
 */
import type { JobStatus, UniqueWhile } from "../types/job.ts";

export type { JobStatus, UniqueWhile };

/** Statuses in the server's enum order, which is also the order page links print them in. */
export const JOB_STATUSES: readonly JobStatus[] = ["scheduled", "ready", "in_flight", "completed", "dead"];

export const UNIQUE_SCOPES: readonly UniqueWhile[] = ["queued", "active", "exists"];

export interface WireBackoff {
  exponent: number;
  base_ms: number;
  jitter_ms: number;
}

export interface WireRetention {
  completed_ms?: number;
  dead_ms?: number;
}

export interface WireBatch {
  key: string;
  when: string;
  fold: string;
}

/** A job as the server returns it. Optional keys are absent, never null. */
export interface WireJob {
  id: string;
  type: string;
  queue: string;
  priority: number;
  status: JobStatus;
  payload?: unknown;
  ready_at: number;
  attempts: number;
  retry_limit?: number;
  backoff?: WireBackoff;
  dequeued_at?: number;
  failed_at?: number;
  retention?: WireRetention;
  purge_at?: number;
  completed_at?: number;
  unique_key?: string;
  unique_while?: UniqueWhile;
  duplicate?: boolean;
  folded?: boolean;
  batch?: WireBatch;
  /** Zizq 0.7; left out when the job draws on no budget. */
  budgets?: WireBudgetBinding[];
}

/** The body of `POST /jobs` and of each item of `POST /jobs/bulk`. */
export interface WireEnqueue {
  type: string;
  queue: string;
  payload: unknown;
  priority?: number | null;
  ready_at?: number | null;
  retry_limit?: number | null;
  backoff?: WireBackoff | null;
  retention?: WireRetention | null;
  unique_key?: string | null;
  unique_while?: UniqueWhile | null;
  batch?: WireBatch | null;
  /** Zizq 0.7; left out rather than sent empty. */
  budgets?: WireBudgetBindingRequest[];
}

/** A budget strategy on the wire: `duration_ms` only for `time_based`, `burst` only when set. */
export interface WireBudgetStrategy {
  type: string;
  duration_ms?: number;
  burst?: number;
}

/** The body of `POST`/`PUT /budgets/{key}` and a binding's `create_with`. */
export interface WireBudgetPolicy {
  allocation: number;
  strategy: WireBudgetStrategy;
}

/** A budget as the server returns it. */
export interface WireBudget extends WireBudgetPolicy {
  key: string;
  created_at: number;
  updated_at: number;
}

/** The body of `PATCH /budgets/{key}`: a merge patch, where only `burst` may be null (to clear it). */
export interface WireBudgetPatch {
  allocation?: number;
  strategy?: { type?: string; duration_ms?: number; burst?: number | null };
}

/** A job's binding as the server returns it (on jobs and cron templates). */
export interface WireBudgetBinding {
  key: string;
  cost: number;
}

/** A binding as the server takes it (enqueue, cron templates, `PUT /jobs/{id}/budgets`). */
export interface WireBudgetBindingRequest {
  key: string;
  cost?: number;
  create_with?: WireBudgetPolicy;
}

/** The answer of a bulk rebind (`/jobs/budgets…`). */
export interface WireBudgetChange {
  changed: number;
  /** Left out by some servers when empty. */
  blocked?: string[];
}

export interface WireErrorRecord {
  attempt: number;
  message: string;
  error_type?: string;
  backtrace?: string;
  dequeued_at: number;
  failed_at: number;
}

export interface WirePages {
  self: string;
  next: string | null;
  prev: string | null;
}

export interface WireJobPage {
  jobs: WireJob[];
  pages: WirePages;
}

export interface WireErrorPage {
  errors: WireErrorRecord[];
  pages: WirePages;
}

export interface WireCronEntryRequest {
  name: string;
  expression: string;
  timezone?: string | null;
  paused?: boolean | null;
  job: WireEnqueue;
}

export interface WireCronEntry {
  name: string;
  expression: string;
  timezone?: string;
  paused: boolean;
  paused_at?: number;
  resumed_at?: number;
  job: WireEnqueue & { priority: number };
  next_enqueue_at?: number;
  last_enqueue_at?: number;
}

export interface WireCronGroup {
  name: string;
  paused: boolean;
  /** Zizq 0.7: the IANA zone of entries that set none. */
  timezone?: string;
  paused_at?: number;
  resumed_at?: number;
  entries: WireCronEntry[];
}

