import { ZizqArgumentError } from "../errors/argument-error.ts";
import type { WireEnqueue } from "../protocol/wire.ts";
import { toEpochMs, toMs } from "../utils/duration.ts";
import type { BatchConfig } from "../client/types.ts";
import { checkObject, isObject, shown } from "../utils/arguments.ts";
import type { BackoffInput, JobRequest, RetentionInput } from "./define-job.ts";
import { checkJsonPayload } from "./json-payload.ts";

/**
 * The `POST /jobs` body for a request: the payload checked against its schema and found to be
 * plain JSON data (payload-check.ts), the type's defaults under the call's options, unique keys
 * and batch configs resolved. Throws before anything is sent when the payload or an option is
 * wrong.
 */
export async function enqueueBody<Input, Output>(request: JobRequest<Input, Output>, now: number): Promise<WireEnqueue> {
  const { definition, payload, options } = request;
  const defaults = definition.options;
  await definition.validate(payload);
  await checkJsonPayload(definition.type, payload);

  const body: WireEnqueue = { type: definition.type, queue: definition.queue, payload };
  const priority = options.priority ?? defaults.priority;
  if (priority !== undefined) body.priority = priority;
  if (options.readyAt !== undefined) body.ready_at = toEpochMs(options.readyAt, "readyAt");
  else if (options.delay !== undefined) body.ready_at = now + toMs(options.delay, "delay");
  const retryLimit = options.retryLimit ?? defaults.retryLimit;
  if (retryLimit !== undefined) body.retry_limit = retryLimit;
  const backoff = options.backoff ?? defaults.backoff;
  if (backoff) body.backoff = wireBackoff(backoff);
  const retention = options.retention ?? defaults.retention;
  if (retention) body.retention = wireRetention(retention);

  const unique = defaults.unique;
  const uniqueKey = options.uniqueKey ?? (typeof unique?.key === "function" ? await derivedKey(unique.key, payload, definition) : unique?.key);
  const uniqueWhile = options.uniqueWhile ?? unique?.while;
  const batch = options.batch ?? (typeof defaults.batch === "function" ? derivedBatch(defaults.batch, payload) : defaults.batch);
  if (uniqueWhile !== undefined && uniqueKey === undefined) {
    throw new ZizqArgumentError("uniqueWhile", "needs a uniqueKey");
  }
  if (uniqueKey !== undefined && batch !== undefined) {
    throw new ZizqArgumentError("uniqueKey", "a job cannot be both unique and batched");
  }
  if (uniqueKey !== undefined) body.unique_key = uniqueKey;
  if (uniqueWhile !== undefined) body.unique_while = uniqueWhile;
  if (batch) body.batch = { key: batch.key, when: batch.when, fold: batch.fold };
  const budgets = options.budgets ?? defaults.budgets;
  // Left out when empty: an empty list is the same unthrottled job, and needs no 0.7 server. The
  // binding checks load with the first budgeted job, keeping them out of a plain producer's bundle.
  if (budgets !== undefined && budgets.length > 0) body.budgets = (await import("../protocol/budget-map.ts")).wireBudgetBindings(budgets, "budgets");
  return body;
}

/** A unique key computed from the payload: it must come out a string. */
async function derivedKey<Input>(key: (payload: Input, job: { type: string }) => string | Promise<string>, payload: Input, job: { type: string }) {
  const value: unknown = await key(payload, job);
  if (typeof value !== "string") throw new ZizqArgumentError("unique.key", `the function returned ${shown(value)}, expected a string`);
  return value;
}

/** A batch config computed from the payload: it must be one. */
function derivedBatch<Input>(batch: (payload: Input) => BatchConfig, payload: Input): BatchConfig {
  const value = batch(payload);
  checkBatch("batch", value);
  return value;
}

export function wireBackoff(backoff: BackoffInput, field = "backoff"): NonNullable<WireEnqueue["backoff"]> {
  checkObject(field, backoff, true);
  if (typeof backoff.exponent !== "number" || !Number.isFinite(backoff.exponent)) {
    throw new ZizqArgumentError(`${field}.exponent`, `expected a number, got ${shown(backoff.exponent)}`);
  }
  return {
    exponent: backoff.exponent,
    base_ms: toMs(backoff.baseMs, `${field}.baseMs`),
    jitter_ms: toMs(backoff.jitterMs, `${field}.jitterMs`),
  };
}

export function wireRetention(retention: RetentionInput, field = "retention"): NonNullable<WireEnqueue["retention"]> {
  checkObject(field, retention, true);
  const wire: NonNullable<WireEnqueue["retention"]> = {};
  if (retention.completedMs !== undefined) wire.completed_ms = toMs(retention.completedMs, `${field}.completedMs`);
  if (retention.deadMs !== undefined) wire.dead_ms = toMs(retention.deadMs, `${field}.deadMs`);
  return wire;
}

/** A batch config: its key, `when` and `fold` are all strings (the server needs all three). */
export function checkBatch(field: string, batch: unknown): void {
  if (batch === undefined) return;
  if (!isObject(batch)) throw new ZizqArgumentError(field, `expected { key, when, fold }, got ${shown(batch)}`);
  for (const key of ["key", "when", "fold"]) {
    if (typeof batch[key] !== "string") throw new ZizqArgumentError(`${field}.${key}`, `expected a string, got ${shown(batch[key])}`);
  }
}
