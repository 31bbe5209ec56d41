import { ZizqArgumentError } from "../errors/argument-error.ts";
import { wireEnqueue } from "../protocol/mapping/enqueue.ts";
import type { WireEnqueue } from "../protocol/wire.ts";
import { shown } from "../utils/arguments.ts";
import type { JobRequest } from "./define-job.ts";
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

  const unique = defaults.unique;
  const uniqueKey = options.uniqueKey ?? (typeof unique?.key === "function" ? await derivedKey(unique.key, payload, definition) : unique?.key);
  const uniqueWhile = options.uniqueWhile ?? unique?.while;
  // A batch built from the payload is checked by wireBatch, as "batch".
  const batch = options.batch ?? (typeof defaults.batch === "function" ? await defaults.batch(payload, definition) : defaults.batch);
  if (uniqueWhile !== undefined && uniqueKey === undefined) {
    throw new ZizqArgumentError("uniqueWhile", "needs a uniqueKey");
  }
  if (uniqueKey !== undefined && batch !== undefined) {
    throw new ZizqArgumentError("uniqueKey", "a job cannot be both unique and batched");
  }
  const body = wireEnqueue(
    {
      type: definition.type,
      queue: definition.queue,
      payload,
      priority: options.priority ?? defaults.priority,
      readyAt: options.readyAt,
      delay: options.delay,
      retryLimit: options.retryLimit ?? defaults.retryLimit,
      backoff: options.backoff ?? defaults.backoff,
      retention: options.retention ?? defaults.retention,
      uniqueKey,
      uniqueWhile,
      batch,
    },
    now,
  );
  const budgets = options.budgets ?? defaults.budgets;
  // Left out when empty: an empty list is the same unthrottled job, and needs no 0.7 server. The
  // binding checks load with the first budgeted job, keeping them out of a plain producer's bundle.
  if (budgets !== undefined && budgets.length > 0) {
    const field = options.budgets !== undefined ? "options.budgets" : "budgets";
    body.budgets = (await import("../protocol/mapping/budget.ts")).wireBudgetBindings(budgets, field);
  }
  return body;
}

/** A unique key computed from the payload: it must come out a string. */
async function derivedKey<Input>(key: (payload: Input, job: { type: string }) => string | Promise<string>, payload: Input, job: { type: string }) {
  const value: unknown = await key(payload, job);
  if (typeof value !== "string") throw new ZizqArgumentError("unique.key", `the function returned ${shown(value)}, expected a string`);
  return value;
}
