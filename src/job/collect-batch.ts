/**
 * Batch configs (Zizq Pro) for common folds. The server runs `when` and `fold` with input `null`
 * and the pending job's payload as `$existing`, the incoming one as `$new`; a truthy `when`
 * folds, anything else seals the pending job and opens a new one.
 */
import type { BatchConfig } from "../types/job.ts";
import { ZizqArgumentError } from "../errors/argument-error.ts";
import { checkObject } from "../utils/arguments.ts";
import { isWellFormed } from "../utils/well-formed.ts";

/** What `collectBatch` folds: the batch key, the array field and the most items per job. */
export interface CollectBatchOptions {
  /** The batch key; like every batch key it is global across queues and job types. */
  key: string;
  /** A top-level payload field holding an array; every payload of the batch must have it. */
  field: string;
  /** The most items one job collects. */
  max: number;
}

/**
 * Collects the items of `payload[field]` into one job until adding the next payload's items would
 * pass `max`; that payload opens a new job. A payload that alone holds more than `max` items
 * therefore gets a job to itself (nothing is split). The other payload fields are the first
 * payload's. A payload whose field is not an array fails the server's dry run (422).
 */
export function collectBatch(options: CollectBatchOptions): BatchConfig {
  checkObject("options", options, true);
  const { key, field, max } = options;
  if (typeof key !== "string" || key === "") throw new ZizqArgumentError("key", "expected a non-empty string");
  if (typeof field !== "string" || field === "" || !isWellFormed(field)) {
    throw new ZizqArgumentError("field", "expected a non-empty string of valid Unicode");
  }
  if (!Number.isSafeInteger(max) || max < 1) throw new ZizqArgumentError("max", `expected a positive integer, got ${max}`);

  // Any name is safe as a jq string literal: JSON escapes are jq escapes, and a backslash is
  // always doubled, so no `\(` interpolation can appear.
  const path = /^[A-Za-z_][A-Za-z0-9_]*$/.test(field) ? `.${field}` : `.[${JSON.stringify(field)}]`;
  const message = JSON.stringify(`collectBatch: ${path} must be an array`);
  // The item count, or an error: on the dry run that is a 422, so a payload without the array
  // never becomes a batch job. Written for jq (the test server) and jaq (the real server) alike.
  const count = (payload: string) => `(${payload} | ${path} | if type == "array" then length else error(${message}) end)`;
  return {
    key,
    when: `${count("$existing")} + ${count("$new")} <= ${max}`,
    // `when` checked both arrays on this very pair (or on the dry run), so fold needs no checks.
    fold: `$existing | ${path} = ${path} + ($new | ${path})`,
  };
}
