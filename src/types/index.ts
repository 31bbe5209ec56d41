/**
 * The public shapes several rooms share (jobs, durations, failures, enqueue options, filters,
 * patches, cron entries, budgets): types only, importing nothing outside this folder.
 */
export type * from "./budget.ts";
export type * from "./cron.ts";
export type * from "./enqueue.ts";
export type * from "./failure.ts";
export type * from "./filter.ts";
export type * from "./job.ts";
export type * from "./patch.ts";
export type * from "./pattern.ts";
export type * from "./time.ts";
