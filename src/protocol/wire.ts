/**
 * The Zizq 0.6.1 wire shapes, exactly as the server sends and accepts them (snake_case,
 * timestamps in ms since the epoch). The library converts to and from camelCase in
 * protocol/mapping/; the test server speaks these directly.
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
  paused_at?: number;
  resumed_at?: number;
  entries: WireCronEntry[];
}

