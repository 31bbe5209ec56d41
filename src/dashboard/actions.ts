/**
 * What the dashboard's buttons do, one job at a time or to every job a filter matches. Zizq can
 * patch only jobs that have not finished, so "retry now" of a dead job enqueues a copy (same
 * type, queue, payload and settings) and deletes the dead one.
 */
import type { Client } from "../client/client.ts";
import type { RawJob } from "../client/client.ts";
import { ZizqArgumentError } from "../errors/argument-error.ts";
import { ZizqNotFoundError } from "../errors/http-error.ts";
import type { JobFilter } from "../types/filter.ts";
import type { Job, JobStatus } from "../types/job.ts";

export type JobAction = "retry" | "kill" | "delete";

/** The one rule of which action applies to a job in which status; pages, checks and bulk scopes read it. */
export const ACTION_STATUSES: Record<JobAction, readonly JobStatus[]> = {
  retry: ["scheduled", "dead"],
  kill: ["in_flight"],
  delete: ["scheduled", "ready", "in_flight", "completed", "dead"],
};
export const JOB_ACTIONS = Object.keys(ACTION_STATUSES) as JobAction[];

/** The actions a job in this status allows, in button order. */
export function allowedActions(status: JobStatus): JobAction[] {
  return JOB_ACTIONS.filter((action) => ACTION_STATUSES[action].includes(status));
}

/** The enqueue request that recreates a job as it was enqueued (its batch is not copied). */
export function copyOf(job: Job): RawJob {
  const copy: RawJob = { type: job.type, queue: job.queue, payload: job.payload, priority: job.priority };
  if (job.retryLimit !== undefined) copy.retryLimit = job.retryLimit;
  if (job.backoff) copy.backoff = job.backoff;
  if (job.retention) copy.retention = job.retention;
  if (job.uniqueKey !== undefined) copy.uniqueKey = job.uniqueKey;
  if (job.uniqueWhile !== undefined) copy.uniqueWhile = job.uniqueWhile;
  if (job.budgets.length > 0) copy.budgets = job.budgets.map(({ key, cost }) => ({ key, cost }));
  return copy;
}

/**
 * A retry of a dead job that stopped halfway. `request`, when set, is the enqueue request that
 * recreates a job deleted for its retry: the page shows it, so the operator can send it again.
 */
export class RetryIncompleteError extends Error {
  override name = "RetryIncompleteError";
  constructor(
    message: string,
    cause: unknown,
    readonly request?: RawJob,
  ) {
    super(`${message}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** How often the copy of a job whose key is held while it "exists" is enqueued before giving up. */
export const REQUEUE_ATTEMPTS = 3;

/**
 * A dead job again, ready at once. The copy is enqueued first and the dead job deleted after, so
 * a failure at either step leaves the job (dead, or as its copy). Only a unique key held while
 * the job "exists" makes the copy collide with the dead job itself: then the dead job is deleted
 * first and the copy enqueued up to REQUEUE_ATTEMPTS times (its key makes a repeat harmless);
 * if every attempt fails, RetryIncompleteError carries the request that recreates it.
 */
async function requeue(client: Client, job: Job): Promise<string> {
  const copy = copyOf(job);
  const enqueued = await client.enqueueRaw(copy);
  if (!enqueued.duplicate || enqueued.id !== job.id) {
    try {
      await client.deleteJob(job.id);
    } catch (error) {
      throw new RetryIncompleteError(`job ${job.id} was enqueued again as ${enqueued.id}, but the dead job could not be deleted; delete it by hand`, error);
    }
    return enqueued.id;
  }
  await client.deleteJob(job.id);
  let failure: unknown;
  for (let attempt = 0; attempt < REQUEUE_ATTEMPTS; attempt++) {
    try {
      return (await client.enqueueRaw(copy)).id;
    } catch (error) {
      failure = error;
    }
  }
  throw new RetryIncompleteError(`job ${job.id} was deleted for its retry, but its copy could not be enqueued`, failure, copy);
}

/** What an action did: a notice key with its parameters (see notices.ts), and the job to show next. */
export interface Done {
  notice: string;
  params: Record<string, string>;
  id?: string;
}

/** Retries, kills or deletes one job; answers what happened and the job to show next. */
export async function applyToJob(client: Client, action: JobAction, job: Job): Promise<Done> {
  if (!ACTION_STATUSES[action].includes(job.status)) {
    throw new ZizqArgumentError("action", `${action} applies to a job that is ${ACTION_STATUSES[action].join(" or ")}; this one is ${job.status}`);
  }
  if (action === "delete") {
    await client.deleteJob(job.id);
    return { notice: "deleted", params: { id: job.id } };
  }
  if (action === "kill") {
    await client.fail(job.id, { message: "killed from the dashboard", errorType: "ZizqDashboardKill", kill: true });
    return { notice: "killed", params: { id: job.id }, id: job.id };
  }
  if (job.status === "scheduled") {
    await client.patchJob(job.id, { readyAt: null });
    return { notice: "ready", params: { id: job.id }, id: job.id };
  }
  const id = await requeue(client, job);
  return { notice: "requeued", params: { id: job.id, copy: id }, id };
}

/** The part of a filter an action can touch: the statuses it applies to, within the filter's. */
function within(filter: JobFilter, action: JobAction): JobFilter[] {
  const asked = filter.status === undefined ? undefined : ([] as JobStatus[]).concat(filter.status);
  return ACTION_STATUSES[action].filter((status) => !asked || asked.includes(status)).map((status) => ({ ...filter, status }));
}

/** How many jobs a bulk action would touch, from count queries. */
export async function bulkCount(client: Client, action: JobAction, filter: JobFilter): Promise<number> {
  if (action === "delete") return client.jobs(filter).count();
  const counts = await Promise.all(within(filter, action).map((part) => client.jobs(part).count()));
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * Applies an action to every job the filter matches; answers how many it touched. A walk one job
 * at a time (kill, dead retry) touches at most `limit` jobs (the count the user confirmed), and
 * none newer than the newest match when it began: the copies a retry enqueues match a dead
 * filter again once they die, and must not be retried in turn.
 */
export async function applyToAll(client: Client, action: JobAction, filter: JobFilter, limit: number): Promise<number> {
  if (action === "delete") return client.jobs(filter).deleteAll();
  let done = 0;
  for (const part of within(filter, action)) {
    if (part.status === "scheduled") {
      done += await client.jobs(part).updateAll({ readyAt: null });
      continue;
    }
    const newest = await client.jobs(part).order("desc").first();
    if (!newest) continue;
    for await (const job of client.jobs(part).pageSize(500)) {
      if (done >= limit || job.id > newest.id) break;
      try {
        await applyToJob(client, action, job);
        done++;
      } catch (error) {
        // Finished or deleted meanwhile: nothing left to do to it.
        if (!(error instanceof ZizqNotFoundError)) throw error;
      }
    }
  }
  return done;
}
