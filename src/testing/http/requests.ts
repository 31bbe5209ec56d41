import type { Backoff, BatchConfig, Retention } from "../../types/job.ts";
import type { Features } from "../features.ts";
import { type BindingInput, binding } from "./budget-requests.ts";
import {
  array,
  boolean,
  compact,
  defaulted,
  float,
  nullable,
  object,
  optional,
  present,
  string,
  unsigned,
} from "./fields.ts";

/** Request bodies, decoded and type-checked as the server's serde structs would be. */

export interface EnqueueInput {
  type: string;
  queue: string;
  payload: unknown;
  priority?: number;
  readyAt?: number;
  retryLimit?: number;
  backoff?: Backoff;
  retention?: Retention;
  uniqueKey?: string;
  /** Checked against the scope names after the licence check, as the server does. */
  uniqueWhile?: string;
  batch?: BatchConfig;
  /** Zizq 0.7; a 0.6.1 server ignored the field. */
  budgets?: BindingInput[];
}

export function backoff(value: unknown): Backoff {
  const fields = object(value, "struct BackoffConfig");
  return {
    exponent: float(present(fields, "exponent")),
    baseMs: unsigned(present(fields, "base_ms"), "u32"),
    jitterMs: unsigned(present(fields, "jitter_ms"), "u32"),
  };
}

const u64 = (value: unknown) => unsigned(value, "u64");
const u32 = (value: unknown) => unsigned(value, "u32");
const u16 = (value: unknown) => unsigned(value, "u16");

function retention(value: unknown): Retention {
  const fields = object(value, "struct RetentionConfig");
  return compact({ completedMs: optional(fields, "completed_ms", u64), deadMs: optional(fields, "dead_ms", u64) });
}

function batch(value: unknown): BatchConfig {
  const fields = object(value, "struct BatchConfig");
  return {
    key: string(present(fields, "key")),
    when: string(present(fields, "when")),
    fold: string(present(fields, "fold")),
  };
}

/** An enqueue body, with `budgets` where the version reads it. */
export const enqueue =
  (features: Features) =>
  (value: unknown): EnqueueInput => {
    const fields = object(value, "struct EnqueueRequest");
    const input = enqueueFields(fields);
    if (features.budgets) {
      const budgets = optional(fields, "budgets", (list) => array(list).map(binding));
      if (budgets) input.budgets = budgets;
    }
    return input;
  };

function enqueueFields(fields: Record<string, unknown>): EnqueueInput {
  return compact({
    type: string(present(fields, "type")),
    queue: string(present(fields, "queue")),
    payload: present(fields, "payload"),
    priority: optional(fields, "priority", u16),
    readyAt: optional(fields, "ready_at", u64),
    retryLimit: optional(fields, "retry_limit", u32),
    backoff: optional(fields, "backoff", backoff),
    retention: optional(fields, "retention", retention),
    uniqueKey: optional(fields, "unique_key", string),
    uniqueWhile: optional(fields, "unique_while", string),
    batch: optional(fields, "batch", batch),
  });
}

export const bulkEnqueue =
  (features: Features) =>
  (value: unknown): EnqueueInput[] => {
    const fields = object(value, "struct BulkEnqueueRequest");
    return array(present(fields, "jobs")).map(enqueue(features));
  };

export function ids(value: unknown): string[] {
  const fields = object(value, "struct BulkSuccessRequest");
  return array(present(fields, "ids")).map(string);
}

export interface FailureInput {
  message: string;
  errorType?: string;
  backtrace?: string;
  retryAt?: number;
  kill: boolean;
}

export function failure(value: unknown): FailureInput {
  const fields = object(value, "struct FailureRequest");
  return compact({
    message: string(present(fields, "message")),
    errorType: optional(fields, "error_type", string),
    backtrace: optional(fields, "backtrace", string),
    retryAt: optional(fields, "retry_at", u64),
    kill: defaulted(fields, "kill", boolean, false),
  });
}

/** A PATCH body: `undefined` leaves a field alone, `null` clears it (or is refused, for queue and priority). */
export interface PatchInput {
  queue?: string | null;
  priority?: number | null;
  readyAt?: number | null;
  retryLimit?: number | null;
  backoff?: Backoff | null;
  retention?: { completedMs?: number | null; deadMs?: number | null } | null;
}

export function patch(value: unknown): PatchInput {
  const fields = object(value, "struct PatchJobBody");
  return {
    queue: nullable(fields, "queue", string),
    priority: nullable(fields, "priority", u16),
    readyAt: nullable(fields, "ready_at", u64),
    retryLimit: nullable(fields, "retry_limit", u32),
    backoff: nullable(fields, "backoff", backoff),
    retention: nullable(fields, "retention", (inner) => {
      const sub = object(inner, "struct RetentionConfigPatchBody");
      return { completedMs: nullable(sub, "completed_ms", u64), deadMs: nullable(sub, "dead_ms", u64) };
    }),
  };
}

export interface CronEntryInput {
  name: string;
  expression: string;
  timezone?: string;
  paused?: boolean;
  job: EnqueueInput;
}

export const cronEntry =
  (features: Features) =>
  (value: unknown): CronEntryInput => {
    const fields = object(value, "struct CronEntryRequest");
    return compact({
      name: string(present(fields, "name")),
      expression: string(present(fields, "expression")),
      timezone: optional(fields, "timezone", string),
      paused: optional(fields, "paused", boolean),
      job: enqueue(features)(present(fields, "job")),
    });
  };

export interface CronGroupInput {
  paused?: boolean;
  /** Zizq 0.7: the zone of entries that name none. PUT replaces the group, so absent clears it. */
  timezone?: string;
  entries: CronEntryInput[];
}

export const cronGroup =
  (features: Features) =>
  (value: unknown): CronGroupInput => {
    const fields = object(value, "struct ReplaceCronGroupRequest");
    return compact({
      paused: optional(fields, "paused", boolean),
      timezone: features.groupTimezone ? optional(fields, "timezone", string) : undefined,
      entries: array(present(fields, "entries")).map(cronEntry(features)),
    });
  };

export function paused(value: unknown): boolean {
  const fields = object(value, "struct PauseRequest");
  return boolean(present(fields, "paused"));
}

/** `PATCH /crons/{group}` in 0.7: both fields optional; `timezone: null` clears the zone. */
export interface GroupPatchInput {
  paused?: boolean;
  timezone?: string | null;
}

export function groupPatch(value: unknown): GroupPatchInput {
  const fields = object(value, "struct PatchCronGroupRequest");
  return compact({ paused: optional(fields, "paused", boolean), timezone: nullable(fields, "timezone", string) });
}
