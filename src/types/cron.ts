import type { BudgetBinding } from "./budget.ts";
import type { Backoff, BatchConfig, Retention, UniqueWhile } from "./job.ts";

/** The job a cron entry enqueues each time it fires. */
export interface CronJobTemplate {
  type: string;
  queue: string;
  priority: number;
  payload: unknown;
  retryLimit?: number;
  backoff?: Backoff;
  retention?: Retention;
  uniqueKey?: string;
  uniqueWhile?: UniqueWhile;
  batch?: BatchConfig;
  /** The budgets each fired job draws on (Zizq 0.7); empty when none. */
  budgets: BudgetBinding[];
}

/** A cron entry as the server reports it: its schedule, its job template and when it fires next. */
export interface CronEntry {
  name: string;
  /** Five fields, or six with seconds first. */
  expression: string;
  /** The entry's own IANA zone; without one the group's applies (Zizq 0.7), else the server's local zone. */
  timezone?: string;
  paused: boolean;
  pausedAt?: number;
  resumedAt?: number;
  job: CronJobTemplate;
  nextEnqueueAt?: number;
  lastEnqueueAt?: number;
}

/** A named group of cron entries, paused and resumed together. */
export interface CronGroup {
  name: string;
  paused: boolean;
  /** The IANA zone of entries that set none (Zizq 0.7). */
  timezone?: string;
  pausedAt?: number;
  resumedAt?: number;
  entries: CronEntry[];
}
