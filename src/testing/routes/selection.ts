import { COUNT_KEYS, query, readFilter, readParams, withBudgetsKey } from "../http/query.ts";
import { fail } from "../http/respond.ts";
import { JqError } from "../jq.ts";
import { FilterTimeout } from "../payload-filter.ts";
import type { JobFilter, SelectOptions as StoreSelectOptions } from "../store/filter.ts";
import type { StoredJob } from "../store/job.ts";
import type { AppDeps } from "./deps.ts";

/** The filters of count, bulk patch, bulk delete and the bulk budget routes. */
export const readJobFilter = (deps: AppDeps, url: URL) =>
  query(() => readFilter(readParams(url, withBudgetsKey(COUNT_KEYS, deps.features.budgets))));

export type SelectOptions = Omit<StoreSelectOptions, "matching">;

/**
 * The jobs a filter selects. The jq `filter` is judged first among the jobs the other filters
 * select (400 `invalid filter` when it does not compile or runs past the time budget); the answer
 * is then read from the store as it is after the wait.
 */
export async function selectJobs(deps: AppDeps, filter: JobFilter, options: SelectOptions): Promise<StoredJob[]> {
  const { limit, ...judging } = options;
  const matching = await judgePayloads(deps, filter, judging);
  return deps.store.select(filter, { ...options, ...(matching ? { matching } : {}) });
}

/** How many jobs a filter selects, judged the way `selectJobs` judges them. */
export async function countJobs(deps: AppDeps, filter: JobFilter, options: SelectOptions): Promise<number> {
  const matching = await judgePayloads(deps, filter, options);
  return deps.store.count(filter, { ...options, ...(matching ? { matching } : {}) });
}

async function judgePayloads(
  deps: AppDeps,
  filter: JobFilter,
  options: SelectOptions,
): Promise<ReadonlySet<StoredJob> | undefined> {
  const { filter: expr, ...fields } = filter;
  if (expr === undefined) return undefined;
  const candidates = deps.store.select(fields, options);
  let verdicts: boolean[];
  try {
    verdicts = await deps.payloadFilter.matches(
      expr,
      candidates.map((job) => job.payload),
    );
  } catch (error) {
    // A timeout is fail-safe: the real server has no bound, so such a request would never be answered.
    if (error instanceof JqError || error instanceof FilterTimeout) throw fail(400, `invalid filter: ${error.message}`);
    throw error;
  }
  return new Set(candidates.filter((_, i) => verdicts[i]));
}
