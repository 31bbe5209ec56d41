import type { BatchConfig } from "../../types/job.ts";
import { nameError } from "../../protocol/names.ts";
import { UNIQUE_SCOPES } from "../../protocol/wire.ts";
import type { EnqueueInput } from "../http/requests.ts";
import type { Format } from "../http/respond.ts";
import { type Jq, loadJq } from "../jq.ts";
import type { PayloadFilter } from "../payload-filter.ts";
import { type AppDeps, requireLicense } from "./deps.ts";

/**
 * The checks of a job template, each written once. Single enqueue, bulk enqueue and cron entries
 * run them in different orders (and around the licence check differently), as the server does.
 */
export type EnqueueRule = (job: EnqueueInput) => string | undefined;

export const typeAndQueueNames: EnqueueRule = (job) => nameError("type", job.type) ?? nameError("queue", job.queue);

export const uniqueWhileNeedsKey: EnqueueRule = (job) =>
  job.uniqueWhile !== undefined && job.uniqueKey === undefined ? "unique_while requires unique_key" : undefined;

export const uniqueKeyWithoutBatch: EnqueueRule = (job) =>
  job.uniqueKey !== undefined && job.batch ? "unique_key and batch cannot be combined" : undefined;

export const knownUniqueScope: EnqueueRule = ({ uniqueWhile: scope }) =>
  scope === undefined || (UNIQUE_SCOPES as readonly string[]).includes(scope)
    ? undefined
    : `invalid unique_while: ${JSON.stringify(scope)} (expected "queued", "active", or "exists")`;

/** The first rule a job breaks, in the order given. */
export function firstBroken(job: EnqueueInput, rules: readonly EnqueueRule[]): string | undefined {
  for (const rule of rules) {
    const error = rule(job);
    if (error !== undefined) return error;
  }
  return undefined;
}

/** One licence check for a whole request: unique, batched, then budgeted jobs (an empty `budgets` is free). */
export function requireEnqueueLicense(deps: Pick<AppDeps, "license">, format: Format, jobs: readonly EnqueueInput[]): void {
  if (jobs.some((job) => job.uniqueKey !== undefined)) requireLicense(deps, format, "unique jobs");
  if (jobs.some((job) => job.batch)) requireLicense(deps, format, "batched jobs");
  if (jobs.some((job) => job.budgets?.length)) requireLicense(deps, format, "budgets");
}

/** jq, loaded only when some template has a batch. */
export const jqFor = async (jobs: ReadonlyArray<{ batch?: BatchConfig }>): Promise<Jq | undefined> =>
  jobs.some((job) => job.batch) ? loadJq() : undefined;

/**
 * The first item whose batch dry run would not end within the budget (see `PayloadFilter`),
 * with the error text: checked before the store dry-runs the batches on this thread. Checking
 * stops at the first batch the store will refuse anyway (compile or runtime error), so that
 * error keeps its place in line.
 */
export async function endlessBatch(
  payloadFilter: PayloadFilter,
  jq: Jq,
  jobs: ReadonlyArray<{ batch?: BatchConfig; payload: unknown }>,
): Promise<{ index: number; message: string } | undefined> {
  for (const [index, { batch, payload }] of jobs.entries()) {
    if (!batch) continue;
    try {
      jq.compileBatch(batch.when);
      jq.compileBatch(batch.fold);
    } catch {
      return undefined;
    }
    const outcome = await payloadFilter.dryRunBatch(batch, payload);
    if (outcome === "fails") return undefined;
    if (outcome !== "ends") return { index, message: `batch dry-run: ${outcome}` };
  }
  return undefined;
}
