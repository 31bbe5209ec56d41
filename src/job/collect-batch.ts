/**
 * Batch configs (Zizq Pro) for common folds. The server runs `when` and `fold` with input `null`
 * and the pending job's payload as `$existing`, the incoming one as `$new`; a truthy `when`
 * folds, anything else seals the pending job and opens a new one. The jq is written for jq (the
 * test server) and jaq (the real server) alike: `unique` and `sort` order strings, numbers,
 * booleans and null the same in both.
 */
import type { BatchConfig } from "../types/job.ts";
import { ZizqArgumentError } from "../errors/argument-error.ts";
import { digest, type Hasher, hashable } from "../unique-key/hash.ts";
import { parsePath } from "../unique-key/path.ts";
import { checkBoolean, checkKnownKeys, checkObject, checkOneOf, shown } from "../utils/arguments.ts";
import { describePath, type Step } from "../utils/json-path.ts";
import { isWellFormed } from "../utils/well-formed.ts";

/** What `collectBatch` folds: where the array is, the most items per job, and the batch key. */
export interface CollectBatchOptions {
  /**
   * The batch key; like every batch key it is global across queues and job types. Left out, it
   * is derived from each payload: `<job type>:` and the hash of the payload without the
   * collected array, so payloads that differ only in their items share a batch.
   */
  key?: string;
  /** A top-level payload field holding the array, by its exact name (dots and all). Or give `path`. */
  field?: string;
  /**
   * Where the array is, for nested ones: `["order", "items"]`, or as text `"order.items"` /
   * `".order.items"` (the path grammar of `hashedKey`: `.items[0]`, `.["odd key"]`; `.` is the
   * whole payload, which must then be an array). Or give `field`.
   */
  path?: string | readonly (string | number)[];
  /** The most items one job collects. */
  max: number;
  /**
   * Drops repeated items (jq's `unique`, which also sorts them); `max` counts distinct items. Like
   * `sorted`, it runs when a payload folds in: a batch of one payload keeps its items as given.
   */
  dedup?: boolean;
  /** Sorts the collected items (jq's `sort`) as each payload folds in; a batch of one keeps its order. */
  sorted?: boolean;
  /**
   * Whose hash a derived key uses: `"node"` joins the batches of the official Node client's
   * `batchConfig` for the same path (docs/unique-keys.md).
   * @default "rust"
   */
  hasher?: Hasher;
}

/** A batch config made from each payload (a derived key), for `defineJob({ batch })`. */
export type BatchFromPayload = (payload: unknown, job: { type: string }) => Promise<BatchConfig>;

const KEYS = ["key", "field", "path", "max", "dedup", "sorted", "hasher"] as const;

/** The array's place as steps, from `field` or `path`. */
function collectedSteps(field: unknown, path: unknown): Step[] {
  if ((field === undefined) === (path === undefined)) throw new ZizqArgumentError("field", "give field or path (exactly one)");
  if (field !== undefined) {
    if (typeof field !== "string" || field === "" || !isWellFormed(field)) {
      throw new ZizqArgumentError("field", "expected a non-empty string of valid Unicode");
    }
    return [field];
  }
  if (typeof path === "string") return parsePath(path.startsWith(".") ? path : `.${path}`, "path");
  if (!Array.isArray(path)) throw new ZizqArgumentError("path", `expected a path string or an array of keys and indices, got ${shown(path)}`);
  return path.map((step: unknown, i) => {
    if (typeof step === "string" && step !== "" && isWellFormed(step)) return step;
    if (Number.isSafeInteger(step) && (step as number) >= 0) return step as number;
    throw new ZizqArgumentError(`path[${i}]`, `expected a key (a non-empty string of valid Unicode) or an array index, got ${shown(step)}`);
  });
}

/**
 * Collects the items of the array at `field` (or `path`) into one job until adding the next
 * payload's items would pass `max`; that payload opens a new job. A payload that alone holds
 * more than `max` items therefore gets a job to itself (nothing is split). The other payload
 * fields are the first payload's. A payload whose array is missing or not an array fails the
 * server's dry run (422).
 *
 * With a `key`, answers the config; without one, a function that builds it from each payload
 * (give it to `defineJob({ batch })`).
 *
 * @example
 * ```ts
 * defineJob<{ tenantId: number; order: { items: string[] } }>({
 *   type: "pack",
 *   queue: "orders",
 *   // One batch per tenant (the key hashes the payload without order.items).
 *   batch: collectBatch({ path: ["order", "items"], max: 50, dedup: true }),
 * });
 * ```
 */
export function collectBatch(options: CollectBatchOptions & { key: string }): BatchConfig;
export function collectBatch(options: CollectBatchOptions & { key?: undefined }): BatchFromPayload;
export function collectBatch(options: CollectBatchOptions): BatchConfig | BatchFromPayload {
  checkObject("options", options, true);
  checkKnownKeys("options", options as unknown as Record<string, unknown>, KEYS);
  const { key, max, dedup, sorted, hasher } = options;
  if (key !== undefined && (typeof key !== "string" || key === "")) throw new ZizqArgumentError("key", "expected a non-empty string");
  if (!Number.isSafeInteger(max) || max < 1) throw new ZizqArgumentError("max", `expected a positive integer, got ${max}`);
  checkBoolean("dedup", dedup);
  checkBoolean("sorted", sorted);
  checkOneOf("hasher", hasher, ["rust", "node"]);
  if (key !== undefined && hasher !== undefined) throw new ZizqArgumentError("hasher", "only for a derived key; leave out key, or hasher");
  const steps = collectedSteps(options.field, options.path);

  // Keys are JSON string literals (valid Unicode checked), and JSON escapes are jq's: a
  // backslash is always doubled, so no `\(` interpolation can appear.
  const described = describePath(steps);
  const path = described.startsWith(".") ? described : `.${described}`;
  const message = JSON.stringify(`collectBatch: ${path} must be an array`);
  // The array (or its length), or an error: on the dry run that is a 422, so a payload without
  // the array never becomes a batch job.
  const checked = (payload: string, then: string) => `(${payload} | ${path} | if type == "array" then ${then} else error(${message}) end)`;
  const when = dedup
    ? `(${checked("$existing", ".")} + ${checked("$new", ".")} | unique | length) <= ${max}`
    : `${checked("$existing", "length")} + ${checked("$new", "length")} <= ${max}`;
  // `when` checked both arrays on this very pair (or on the dry run), so fold needs no checks.
  const order = dedup ? "unique" : sorted ? "sort" : undefined;
  const joined = steps.length === 0 ? "$existing + $new" : `${path} + ($new | ${path})`;
  const value = order ? `(${joined} | ${order})` : joined;
  const fold = steps.length === 0 ? value : `$existing | ${path} = ${value}`;
  if (key !== undefined) return { key, when, fold };

  const without = { kind: "except" as const, paths: [steps] };
  return async (payload, job) => ({ key: await digest(hashable(payload, without, hasher), job.type), when, fold });
}
