import { ZizqArgumentError } from "../errors/argument-error.ts";
import { ZizqDecodeError } from "../errors/decode-error.ts";
import { JOB_STATUSES } from "../protocol/wire.ts";
import { checkBudgetKey } from "../protocol/mapping/budget.ts";
import { checkName } from "../protocol/names.ts";
import { checkObject } from "../utils/arguments.ts";
import { toEpochMs } from "../utils/duration.ts";
import type { PickReply } from "../protocol/replies.ts";
import type { WirePages } from "../protocol/wire.ts";
import { errorRecord, job } from "../protocol/mapping/job.ts";
import { wirePatch } from "../protocol/mapping/patch.ts";
import type { JobFilter, Order, Range } from "../types/filter.ts";
import type { ErrorRecord, Job } from "../types/job.ts";
import type { JobPatch } from "../types/patch.ts";
import { jobPath } from "./paths.ts";
import { requireFeature } from "./version-gate.ts";
import type { Transport } from "./transport.ts";

/** Every item of every page, following the server's `next` links. */
async function* pages<Page extends { pages: WirePages }, Wire, Item>(
  transport: Transport,
  first: string,
  reply: PickReply<Page>,
  items: (page: Page) => Wire[],
  convert: (wire: Wire) => Item,
): AsyncGenerator<Item> {
  let path: string | null = first;
  while (path) {
    const page: Page = (await transport.send({ method: "GET", path, idempotent: true, reply })).body;
    for (const wire of items(page)) yield convert(wire);
    // A link back to the same page would be walked forever.
    if (page.pages.next === path) {
      throw new ZizqDecodeError(transport.requestInfo("GET", path), null, undefined, "expected a link to the next page, got this page again");
    }
    path = page.pages.next;
  }
}

function checkPageSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size > 2000) {
    throw new ZizqArgumentError("pageSize", `expected an integer from 1 to 2000, got ${size}`);
  }
}

export async function* jobs<Payload>(transport: Transport, filter: JobFilter, order: Order, pageSize: number): AsyncGenerator<Job<Payload>> {
  const params = filterParams(filter);
  if (order !== "asc" && order !== "desc") {
    throw new ZizqArgumentError("order", `expected "asc" or "desc", got ${String(order)}`);
  }
  checkPageSize(pageSize);
  if (!params) return;
  await requireFilterFeatures(transport, filter);
  params.set("order", order);
  params.set("limit", String(pageSize));
  yield* pages(transport, `/jobs?${params}`, (r) => r.jobPage, (page) => page.jobs, (wire) => job<Payload>(wire));
}

// Only ascending pages: the server's cursor does not step correctly in descending order.
export function errors(transport: Transport, jobId: string, size: number): AsyncGenerator<ErrorRecord> {
  checkPageSize(size);
  const first = `${jobPath(jobId)}/errors?order=asc&limit=${size}`;
  return pages(transport, first, (r) => r.errorPage, (page) => page.errors, errorRecord);
}

export async function count(transport: Transport, filter: JobFilter): Promise<number> {
  const path = filteredPath("/jobs/count", filter);
  if (!path) return 0;
  await requireFilterFeatures(transport, filter);
  return (await transport.send({ method: "GET", path, idempotent: true, reply: (r) => r.count })).body.count;
}

export async function updateAll(transport: Transport, filter: JobFilter, patch: JobPatch): Promise<number> {
  const body = wirePatch(patch);
  const path = filteredPath("/jobs", filter);
  if (!path) return 0;
  await requireFilterFeatures(transport, filter);
  return (await transport.send({ method: "PATCH", path, body, idempotent: false, reply: (r) => r.patched })).body.patched;
}

export async function deleteAll(transport: Transport, filter: JobFilter): Promise<number> {
  const path = filteredPath("/jobs", filter);
  if (!path) return 0;
  await requireFilterFeatures(transport, filter);
  return (await transport.send({ method: "DELETE", path, idempotent: false, reply: (r) => r.deleted })).body.deleted;
}

/** A 0.6 server refuses `budgets.key` (400): say why before asking it. */
async function requireFilterFeatures(transport: Transport, filter: JobFilter): Promise<void> {
  if (filter.budgetsKey !== undefined) await requireFeature(transport, "budgets");
}

/** `base` with the filter's query, or undefined when the filter matches nothing. */
export function filteredPath(base: string, filter: JobFilter): string | undefined {
  const params = filterParams(filter);
  if (!params) return undefined;
  const query = params.toString();
  return query === "" ? base : `${base}?${query}`;
}

const FILTER_KEYS = new Set(["id", "queue", "type", "status", "priority", "readyAt", "attempts", "filter", "budgetsKey"]);
const U16 = 0xffff;
const U32 = 0xffff_ffff;

/** The filter as query parameters, or `undefined` when an empty set makes it match nothing. */
function filterParams(filter: JobFilter): URLSearchParams | undefined {
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
    ["budgetsKey", "budgets.key", filter.budgetsKey, checkBudgetKey],
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
    params.set("filter", filter.filter);
  }
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
