import { ZizqArgumentError } from "../errors/argument-error.ts";
import { ZizqDecodeError } from "../errors/decode-error.ts";
import { wireFilter } from "../protocol/mapping/filter.ts";
import { errorRecord, job } from "../protocol/mapping/job.ts";
import { wirePatch } from "../protocol/mapping/patch.ts";
import type { PickReply } from "../protocol/replies.ts";
import type { WirePages } from "../protocol/wire.ts";
import type { JobFilter, Order } from "../types/filter.ts";
import type { ErrorRecord, Job } from "../types/job.ts";
import type { JobPatch } from "../types/patch.ts";
import { jobPath } from "./paths.ts";
import type { Transport } from "./transport.ts";
import { requireFeature } from "./version-gate.ts";

/** Every page, its items converted, following the server's `next` links; empty pages are skipped. */
async function* pages<Page extends { pages: WirePages }, Wire, Item>(
  transport: Transport,
  first: string,
  reply: PickReply<Page>,
  items: (page: Page) => Wire[],
  convert: (wire: Wire) => Item,
): AsyncGenerator<Item[]> {
  let path: string | null = first;
  while (path) {
    const page: Page = (await transport.send({ method: "GET", path, idempotent: true, reply })).body;
    const converted = items(page).map(convert);
    if (converted.length > 0) yield converted;
    // A link back to the same page would be walked forever.
    if (page.pages.next === path) {
      throw new ZizqDecodeError(transport.requestInfo("GET", path), null, undefined, "expected a link to the next page, got this page again");
    }
    path = page.pages.next === null ? null : withQueryOf(first, page.pages.next);
  }
}

async function* flat<Item>(pages: AsyncIterable<Item[]>): AsyncGenerator<Item> {
  for await (const page of pages) yield* page;
}

/**
 * `next` with every query parameter of the first request that it left out. Zizq 0.7.0's links
 * drop `budgets.key`: followed as given, page 2 on would list every job, and a delete loop over
 * the listing would reach jobs outside the filter.
 */
function withQueryOf(first: string, next: string): string {
  const given = new URLSearchParams(first.slice(first.indexOf("?") + 1));
  const at = next.indexOf("?");
  const kept = new URLSearchParams(at === -1 ? "" : next.slice(at + 1));
  let missing = false;
  for (const [name, value] of given) {
    if (!kept.has(name)) {
      kept.set(name, value);
      missing = true;
    }
  }
  return missing ? `${at === -1 ? next : next.slice(0, at)}?${kept}` : next;
}

function checkPageSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size > 2000) {
    throw new ZizqArgumentError("pageSize", `expected an integer from 1 to 2000, got ${size}`);
  }
}

/** What a listing asks for: its filter, order, page size and an optional cursor (a job id to start after). */
export interface Listing {
  filter: JobFilter;
  order: Order;
  pageSize: number;
  after?: string | undefined;
}

export function jobs<Payload>(transport: Transport, listing: Listing): AsyncGenerator<Job<Payload>> {
  return flat(jobPages<Payload>(transport, listing));
}

export async function* jobPages<Payload>(transport: Transport, { filter, order, pageSize, after }: Listing): AsyncGenerator<Job<Payload>[]> {
  const params = wireFilter(filter);
  if (order !== "asc" && order !== "desc") {
    throw new ZizqArgumentError("order", `expected "asc" or "desc", got ${String(order)}`);
  }
  checkPageSize(pageSize);
  if (after !== undefined && (typeof after !== "string" || after === "")) {
    throw new ZizqArgumentError("after", `expected a job id, got ${String(after)}`);
  }
  if (!params) return;
  await requireFilterFeatures(transport, filter);
  params.set("order", order);
  params.set("limit", String(pageSize));
  if (after !== undefined) params.set("from", after);
  yield* pages(transport, `/jobs?${params}`, (r) => r.jobPage, (page) => page.jobs, (wire) => job<Payload>(wire));
}

// Only ascending pages: the server's cursor does not step correctly in descending order.
export function errors(transport: Transport, jobId: string, size: number): AsyncGenerator<ErrorRecord> {
  checkPageSize(size);
  const first = `${jobPath(jobId)}/errors?order=asc&limit=${size}`;
  return flat(pages(transport, first, (r) => r.errorPage, (page) => page.errors, errorRecord));
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
  const params = wireFilter(filter);
  if (!params) return undefined;
  const query = params.toString();
  return query === "" ? base : `${base}?${query}`;
}
