/**
 * The job list's filter as it travels in query strings and hidden form fields: four text fields,
 * read into the Client's `JobFilter`. Empty fields are left out, so they match everything.
 */
import { ZizqArgumentError } from "../errors/argument-error.ts";
import type { JobFilter } from "../types/filter.ts";
import type { JobStatus } from "../types/job.ts";
import { STATUSES } from "./layout.ts";

export const FILTER_FIELDS = ["queue", "type", "status", "jq"] as const;
export type FilterFields = Partial<Record<(typeof FILTER_FIELDS)[number], string>>;

/** The filter fields given, trimmed, from a query string or a form body. */
export function readFields(get: (name: string) => unknown): FilterFields {
  const fields: FilterFields = {};
  for (const name of FILTER_FIELDS) {
    const value = get(name);
    if (typeof value === "string" && value.trim() !== "") fields[name] = value.trim();
  }
  return fields;
}

/** The Client's filter; an unknown status is refused here rather than sent. */
export function jobFilter(fields: FilterFields): JobFilter {
  const filter: JobFilter = {};
  if (fields.queue) filter.queue = fields.queue;
  if (fields.type) filter.type = fields.type;
  if (fields.status) {
    if (!STATUSES.includes(fields.status as JobStatus)) throw new ZizqArgumentError("status", `expected one of ${STATUSES.join(", ")}, got ${JSON.stringify(fields.status)}`);
    filter.status = fields.status as JobStatus;
  }
  if (fields.jq) filter.filter = fields.jq;
  return filter;
}

/** `?queue=...&status=...` with the given extras, for links that keep the filter. */
export function queryString(fields: FilterFields, extra: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...fields, ...extra })) if (value) params.set(name, value);
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

/** The filter in words, for headings and confirmations. */
export function describeFilter(fields: FilterFields): string {
  const parts = FILTER_FIELDS.filter((name) => fields[name]).map((name) => `${name} = ${fields[name]}`);
  return parts.length === 0 ? "every job" : parts.join(", ");
}
