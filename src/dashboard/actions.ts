/**
 * What the dashboard's buttons do, one job at a time or to every job a filter matches. Zizq can
 * patch only jobs that have not finished, so "retry now" of a dead job enqueues a copy (same
 * type, queue, payload and settings) and deletes the dead one.
 */
import type { Client } from "../client/client.ts";
import type { RawJob } from "../client/client.ts";
import { ZizqNotFoundError } from "../errors/http-error.ts";
import type { JobFilter } from "../types/filter.ts";
import type { Job, JobStatus } from "../types/job.ts";

export type JobAction = "retry" | "kill" | "delete";
export const JOB_ACTIONS: readonly JobAction[] = ["retry", "kill", "delete"];

/** The enqueue request that recreates a job as it was enqueued. */
function copyOf(job: Job): RawJob {
  const copy: RawJob = { type: job.type, queue: job.queue, payload: job.payload, priority: job.priority };
  if (job.retryLimit !== undefined) copy.retryLimit = job.retryLimit;
  if (job.backoff) copy.backoff = job.backoff;
  if (job.retention) copy.retention = job.retention;
  if (job.uniqueKey !== undefined) copy.uniqueKey = job.uniqueKey;
  if (job.uniqueWhile !== undefined) copy.uniqueWhile = job.uniqueWhile;
  if (job.budgets.length > 0) copy.budgets = job.budgets.map(({ key, cost }) => ({ key, cost }));
  return copy;
}

/** A dead job again, ready at once: its copy is enqueued before it is deleted, so it is never lost. */
async function requeue(client: Client, job: Job): Promise<string> {
  let enqueued = await client.enqueueRaw(copyOf(job));
  // A unique key held while the job "exists" matches the dead job itself: that one must go first.
  if (enqueued.duplicate && enqueued.id === job.id) {
    await client.deleteJob(job.id);
    enqueued = await client.enqueueRaw(copyOf(job));
  } else {
    await client.deleteJob(job.id);
  }
  return enqueued.id;
}

/** Retries, kills or deletes one job; answers what happened, in words, and the job to show next. */
export async function applyToJob(client: Client, action: JobAction, job: Job): Promise<{ notice: string; id?: string }> {
  if (action === "delete") {
    await client.deleteJob(job.id);
    return { notice: `Deleted job ${job.id}.` };
  }
  if (action === "kill") {
    if (job.status !== "in_flight") throw new RangeError(`only a job in flight can be killed; this one is ${job.status}`);
    await client.fail(job.id, { message: "killed from the dashboard", errorType: "ZizqDashboardKill", kill: true });
    return { notice: `Killed job ${job.id}: it is dead.`, id: job.id };
  }
  if (job.status === "scheduled") {
    await client.patchJob(job.id, { readyAt: null });
    return { notice: `Job ${job.id} is ready now.`, id: job.id };
  }
  if (job.status === "dead") {
    const id = await requeue(client, job);
    return { notice: `Job ${job.id} was enqueued again as ${id}, ready now.`, id };
  }
  throw new RangeError(`only a scheduled or dead job can be retried; this one is ${job.status}`);
}

/** The part of a filter an action can touch: the statuses it applies to, within the filter's. */
function within(filter: JobFilter, statuses: JobStatus[]): JobFilter[] {
  const asked = filter.status === undefined ? undefined : ([] as JobStatus[]).concat(filter.status);
  return statuses.filter((status) => !asked || asked.includes(status)).map((status) => ({ ...filter, status }));
}

/** The statuses each bulk action applies to; the rest of a filter's jobs are left alone. */
const BULK_SCOPE: Record<JobAction, JobStatus[]> = {
  retry: ["scheduled", "dead"],
  kill: ["in_flight"],
  delete: ["scheduled", "ready", "in_flight", "completed", "dead"],
};

/** How many jobs a bulk action would touch, from count queries. */
export async function bulkCount(client: Client, action: JobAction, filter: JobFilter): Promise<number> {
  if (action === "delete") return client.jobs(filter).count();
  const counts = await Promise.all(within(filter, BULK_SCOPE[action]).map((part) => client.jobs(part).count()));
  return counts.reduce((a, b) => a + b, 0);
}

/** Applies an action to every job the filter matches; answers how many it touched. */
export async function applyToAll(client: Client, action: JobAction, filter: JobFilter): Promise<number> {
  if (action === "delete") return client.jobs(filter).deleteAll();
  let done = 0;
  for (const part of within(filter, BULK_SCOPE[action])) {
    if (part.status === "scheduled") {
      done += await client.jobs(part).updateAll({ readyAt: null });
      continue;
    }
    for await (const job of client.jobs(part).pageSize(500)) {
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
