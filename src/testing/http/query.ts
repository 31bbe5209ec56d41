import { JOB_STATUSES, type JobStatus } from "../../protocol/wire.ts";
import type { JobFilter, Range } from "../store/filter.ts";
import { fail } from "./respond.ts";

/**
 * Query strings the way the server's `deny_unknown_fields` structs read them: form decoding
 * (`+` is a space), unknown or repeated parameters refused, comma sets, and the range syntax.
 */

export class QueryError extends Error {}

const MAX = { u16: 0xffffn, u32: 0xffff_ffffn, u64: 0xffff_ffff_ffff_ffffn } as const;
type Width = keyof typeof MAX;

/** Rust's `str::parse` for an unsigned integer, with its error texts. */
export function parseUnsigned(text: string, width: Width): bigint {
  if (text === "") throw new QueryError("cannot parse integer from empty string");
  if (!/^\+?[0-9]+$/.test(text)) throw new QueryError("invalid digit found in string");
  const value = BigInt(text);
  if (value > MAX[width]) throw new QueryError("number too large to fit in target type");
  return value;
}

function parseRange(text: string, width: Width): Range | undefined {
  if (text === "") return undefined;
  const split = text.indexOf("..");
  const [lo, hi] =
    split === -1
      ? [parseUnsigned(text, width), parseUnsigned(text, width)]
      : [
          split === 0 ? 0n : parseUnsigned(text.slice(0, split), width),
          split + 2 === text.length ? MAX[width] : parseUnsigned(text.slice(split + 2), width),
        ];
  if (lo > hi) throw new QueryError("range lower bound exceeds upper bound");
  return { lo, hi };
}

/** A range as page links print it: `N`, `..hi`, `lo..` or `lo..hi`. */
function formatRange(range: Range, width: Width): string {
  if (range.lo === range.hi) return `${range.lo}`;
  if (range.lo === 0n) return `..${range.hi}`;
  if (range.hi === MAX[width]) return `${range.lo}..`;
  return `${range.lo}..${range.hi}`;
}

function commaSet(text: string): Set<string> {
  return new Set(text.split(",").filter((part) => part !== ""));
}

function statusSet(text: string): Set<JobStatus> {
  const statuses = new Set<JobStatus>();
  for (const part of commaSet(text)) {
    if (!(JOB_STATUSES as readonly string[]).includes(part)) throw new QueryError(`unknown status: ${part}`);
    statuses.add(part as JobStatus);
  }
  return statuses;
}

/** Reads the allowed parameters, refusing unknown and repeated ones. */
export function readParams(url: URL, allowed: readonly string[]): Map<string, string> {
  const params = new Map<string, string>();
  for (const [key, value] of url.searchParams) {
    if (!allowed.includes(key)) {
      throw new QueryError(`unknown field \`${key}\`, expected one of ${allowed.map((a) => `\`${a}\``).join(", ")}`);
    }
    if (params.has(key)) throw new QueryError(`duplicate field \`${key}\``);
    params.set(key, value);
  }
  return params;
}

/** Runs `read`, turning a `QueryError` into the server's 400 "invalid query parameters" answer. */
export function query<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof QueryError) {
      throw fail(400, `invalid query parameters: Failed to deserialize query string: ${error.message}`);
    }
    throw error;
  }
}

const FILTER_KEYS = ["id", "status", "queue", "type", "priority", "ready_at", "attempts", "filter"] as const;
export const LIST_KEYS = ["from", "order", "limit", ...FILTER_KEYS] as const;
export const COUNT_KEYS = FILTER_KEYS;
/** The filter Zizq 0.7 added: jobs drawing on any of the named budgets. */
export const BUDGETS_KEY = "budgets.key";

/** The parameters a listing or filter accepts, with `budgets.key` where the version knows it. */
export const withBudgetsKey = (keys: readonly string[], budgets: boolean): readonly string[] =>
  budgets ? [...keys, BUDGETS_KEY] : keys;

function field<T>(name: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof QueryError) throw new QueryError(`${name}: ${error.message}`);
    throw error;
  }
}

export function readFilter(params: Map<string, string>): JobFilter {
  const text = (key: string) => params.get(key) ?? "";
  const filter: JobFilter = {
    ids: commaSet(text("id")),
    queues: commaSet(text("queue")),
    types: commaSet(text("type")),
    statuses: field("status", () => statusSet(text("status"))),
  };
  const priority = field("priority", () => parseRange(text("priority"), "u16"));
  const readyAt = field("ready_at", () => parseRange(text("ready_at"), "u64"));
  const attempts = field("attempts", () => parseRange(text("attempts"), "u32"));
  if (priority) filter.priority = priority;
  if (readyAt) filter.readyAt = readyAt;
  if (attempts) filter.attempts = attempts;
  const budgetKeys = commaSet(text(BUDGETS_KEY));
  if (budgetKeys.size > 0) filter.budgetKeys = budgetKeys;
  const expr = params.get("filter");
  if (expr !== undefined) filter.filter = expr;
  return filter;
}

export type Order = "asc" | "desc";

export function readOrder(params: Map<string, string>): Order {
  const order = params.get("order") ?? "asc";
  if (order !== "asc" && order !== "desc") {
    throw new QueryError(`order: unknown variant \`${order}\`, expected \`asc\` or \`desc\``);
  }
  return order;
}

/** `limit` as the u16 the server parses, then its 1–2000 rule. */
export function readLimit(params: Map<string, string>): number {
  const text = params.get("limit");
  if (text === undefined) return 50;
  return Number(field("limit", () => parseUnsigned(text, "u16")));
}

export function checkLimit(limit: number): void {
  if (limit < 1 || limit > 2000) throw fail(400, "limit must be between 1 and 2000");
}

/** Every id in an `id` filter must look like a SCRU128 id. */
export function checkIds(ids: ReadonlySet<string>): void {
  for (const id of ids) {
    if (!/^[0-9a-z]{25}$/.test(id)) throw fail(400, `invalid job ID: ${JSON.stringify(id)}`);
  }
}

const sorted = (values: Iterable<string>) => [...values].sort().join(",");

/** Percent-encodes everything but `A-Za-z0-9-_.~`, as the server does for `filter`. */
const encodeStrict = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A `/jobs` page link: cursor, order and limit, then the active filters in the server's order. */
export function pageLink(from: string | undefined, order: Order, limit: number, filter: JobFilter): string {
  let url = "/jobs?";
  if (from !== undefined) url += `from=${from}&`;
  url += `order=${order}&limit=${limit}`;
  if (filter.statuses.size > 0) url += `&status=${JOB_STATUSES.filter((s) => filter.statuses.has(s)).join(",")}`;
  if (filter.queues.size > 0) url += `&queue=${sorted(filter.queues)}`;
  if (filter.types.size > 0) url += `&type=${sorted(filter.types)}`;
  if (filter.ids.size > 0) url += `&id=${sorted(filter.ids)}`;
  if (filter.priority) url += `&priority=${formatRange(filter.priority, "u16")}`;
  if (filter.readyAt) url += `&ready_at=${formatRange(filter.readyAt, "u64")}`;
  if (filter.attempts) url += `&attempts=${formatRange(filter.attempts, "u32")}`;
  // The 0.7 draft server leaves this out of its links (a bug); we keep it so a next page stays filtered.
  if (filter.budgetKeys) url += `&${BUDGETS_KEY}=${[...filter.budgetKeys].sort().map(encodeURIComponent).join(",")}`;
  if (filter.filter !== undefined) url += `&filter=${encodeStrict(filter.filter)}`;
  return url;
}
