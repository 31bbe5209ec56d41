import type { JobStatus } from "../../protocol/wire.ts";
import { InternalError } from "./errors.ts";
import type { StoredJob } from "./job.ts";

/** An inclusive range; bounds are bigints so u64 limits stay exact. */
export interface Range {
  lo: bigint;
  hi: bigint;
}

/** The filters shared by list, count, bulk patch and bulk delete. Empty sets mean "no filter". */
export interface JobFilter {
  ids: Set<string>;
  queues: Set<string>;
  types: Set<string>;
  statuses: Set<JobStatus>;
  priority?: Range;
  readyAt?: Range;
  attempts?: Range;
  /** `budgets.key` (Zizq 0.7): jobs drawing on any of these budgets. */
  budgetKeys?: Set<string>;
  /** A jq expression over the payload. */
  filter?: string;
}

/** Where a selection starts, its order and its size; `matching` is the jq filter's verdict. */
export interface SelectOptions {
  visibleOnly: boolean;
  descending?: boolean;
  /** An exclusive cursor: the id the selection starts after. */
  from?: string;
  limit?: number;
  matching?: ReadonlySet<StoredJob>;
}

const inRange = (value: number, range: Range | undefined) =>
  range === undefined || (BigInt(value) >= range.lo && BigInt(value) <= range.hi);

/** Every filter but the jq one, which runs over many payloads at once. */
export function matchesFields(job: StoredJob, filter: JobFilter): boolean {
  return (
    (filter.ids.size === 0 || filter.ids.has(job.id)) &&
    (filter.queues.size === 0 || filter.queues.has(job.queue)) &&
    (filter.types.size === 0 || filter.types.has(job.type)) &&
    (filter.statuses.size === 0 || filter.statuses.has(job.status)) &&
    inRange(job.priority, filter.priority) &&
    inRange(job.readyAt, filter.readyAt) &&
    inRange(job.attempts, filter.attempts) &&
    (!filter.budgetKeys?.size || job.budgets.some(({ key }) => filter.budgetKeys?.has(key)))
  );
}

/**
 * Visits the jobs a filter selects, in id order (or reversed), until `visit` answers false. The
 * jq filter must have been judged beforehand (`options.matching`); a page of a big store stops
 * at its limit instead of filtering every job first.
 */
export function scanJobs(
  jobs: ReadonlyMap<string, StoredJob>,
  filter: JobFilter,
  options: SelectOptions,
  visible: (job: StoredJob) => boolean,
  visit: (job: StoredJob) => boolean,
): void {
  const { from, descending, matching, visibleOnly } = options;
  if (filter.filter !== undefined && matching === undefined) throw new InternalError("the jq filter was not judged");
  for (const job of descending ? [...jobs.values()].reverse() : jobs.values()) {
    if (
      (!visibleOnly || visible(job)) &&
      (from === undefined || (descending ? job.id < from : job.id > from)) &&
      matchesFields(job, filter) &&
      (matching === undefined || matching.has(job)) &&
      !visit(job)
    ) {
      return;
    }
  }
}
