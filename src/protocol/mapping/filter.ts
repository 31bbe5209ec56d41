/**
 * A job filter as the query parameters of `GET /jobs`, `/jobs/count`, and the bulk PATCH and
 * DELETE: sets comma separated, ranges as `lo..hi`, instants in ms.
 *
 * Part of the one boundary between the server's snake_case and the library's camelCase: every
 * mapper lives in a file of protocol/mapping/, one per resource, so a bundle takes only the
 * mappers its calls use (a producer: enqueue.ts and job.ts).
 */
import { ZizqArgumentError } from "../../errors/argument-error.ts";
import type { JobFilter, Range } from "../../types/filter.ts";
import { checkObject } from "../../utils/arguments.ts";
import { toEpochMs } from "../../utils/duration.ts";
import { checkName } from "../names.ts";
import { filterJq } from "../payload-pattern.ts";
import { JOB_STATUSES } from "../wire.ts";

const FILTER_KEYS = new Set(["id", "queue", "type", "status", "priority", "readyAt", "attempts", "filter", "budgetsKey", "payload", "payloadContains"]);
const U16 = 0xffff;
const U32 = 0xffff_ffff;

/** The filter as query parameters, or `undefined` when an empty set makes it match nothing. */
export function wireFilter(filter: JobFilter): URLSearchParams | undefined {
  checkObject("filter", filter, true);
  for (const key of Object.keys(filter)) {
    if (!FILTER_KEYS.has(key)) {
      throw new ZizqArgumentError(`filter.${key}`, `unknown filter; known: ${[...FILTER_KEYS].join(", ")}`);
    }
    // A variable that happens to be undefined must not silently widen a query to every job.
    if (filter[key as keyof JobFilter] === undefined) {
      throw new ZizqArgumentError(`filter.${key}`, "is undefined; leave the key out to match any value, or pass [] to match none");
    }
  }
  const params = new URLSearchParams();
  // Every field is checked even when an empty set already means "nothing matches".
  let matchesNothing = false;
  // Sets go comma separated, so the name rules (no commas) are checked on every value.
  const sets = [
    ["status", "status", filter.status, checkStatus],
    ["queue", "queue", filter.queue, (field: string, value: unknown) => checkName(field, value, "queue")],
    ["type", "type", filter.type, (field: string, value: unknown) => checkName(field, value, "type")],
    ["id", "id", filter.id, checkId],
    ["budgetsKey", "budgets.key", filter.budgetsKey, (field: string, value: unknown) => checkName(field, value, "budget key")],
  ] as const;
  for (const [key, name, value, check] of sets) {
    if (value === undefined) continue;
    const values: readonly string[] = typeof value === "string" ? [value] : value;
    if (!Array.isArray(values)) throw new ZizqArgumentError(`filter.${key}`, "expected a string or an array of strings");
    if (values.length === 0) matchesNothing = true;
    values.forEach((item, i) => check(`filter.${key}[${i}]`, item));
    params.set(name, values.join(","));
  }
  if (filter.priority !== undefined) params.set("priority", range("filter.priority", filter.priority, U16, (n) => n));
  if (filter.readyAt !== undefined) params.set("ready_at", range("filter.readyAt", filter.readyAt, Number.MAX_SAFE_INTEGER, toEpochMs));
  if (filter.attempts !== undefined) params.set("attempts", range("filter.attempts", filter.attempts, U32, (n) => n));
  if (filter.filter !== undefined) {
    if (typeof filter.filter !== "string" || filter.filter.trim() === "") {
      throw new ZizqArgumentError("filter.filter", "expected a jq expression");
    }
  }
  const jq = filterJq(filter);
  if (jq !== undefined) params.set("filter", jq);
  return matchesNothing ? undefined : params;
}

function checkStatus(field: string, value: string): void {
  if (!(JOB_STATUSES as readonly string[]).includes(value)) {
    throw new ZizqArgumentError(field, `unknown status ${JSON.stringify(value)}; known: ${JOB_STATUSES.join(", ")}`);
  }
}

function checkId(field: string, value: string): void {
  if (typeof value !== "string" || !/^[0-9a-z]{25}$/.test(value)) {
    throw new ZizqArgumentError(field, `not a job id: ${JSON.stringify(value)}`);
  }
}

/** A range in the server's syntax: `N`, `lo..hi`, `lo..` or `..hi`. */
function range<T>(field: string, value: Range<T>, max: number, toNumber: (value: T, field: string) => number): string {
  const bound = (end: T | undefined, name: string) => {
    if (end === undefined) return undefined;
    const n = toNumber(end, `${field}.${name}`);
    if (!Number.isInteger(n) || n < 0 || n > max) {
      throw new ZizqArgumentError(`${field}.${name}`, `expected an integer from 0 to ${max}, got ${String(end)}`);
    }
    return n;
  };
  if (typeof value !== "object" || value === null || value instanceof Date) {
    return String(bound(value as T, "value"));
  }
  const { min, max: upper, ...rest } = value as { min?: T; max?: T };
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw new ZizqArgumentError(`${field}.${extra}`, "a range takes only min and max");
  const lo = bound(min, "min");
  const hi = bound(upper, "max");
  if (lo !== undefined && hi !== undefined && lo > hi) {
    throw new ZizqArgumentError(field, `min (${lo}) is greater than max (${hi})`);
  }
  return `${lo ?? ""}..${hi ?? ""}`;
}
