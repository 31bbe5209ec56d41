/**
 * `updateOne` and `deleteOne`: find the one job a query matches, then change it by id. Two
 * matches refuse before anything changes; a job gone between finding and changing it counts as
 * none found. A job that starts to match meanwhile is not touched: only the found id changes.
 */
import { ZizqNotFoundError } from "../errors/http-error.ts";
import { ZizqMultipleMatchesError } from "../errors/multiple-matches-error.ts";
import { wirePatch } from "../protocol/mapping/patch.ts";
import type { JobFilter } from "../types/filter.ts";
import type { Job, JobInfo } from "../types/job.ts";
import type { JobPatch } from "../types/patch.ts";
import { deleteJob, patchJob } from "./job-calls.ts";
import { jobs } from "./query-run.ts";
import type { Transport } from "./transport.ts";

/** The one matching job, or undefined; one request for a page of two tells one from many. */
async function findOne<Payload>(transport: Transport, filter: JobFilter, operation: string): Promise<Job<Payload> | undefined> {
  const found: Job<Payload>[] = [];
  for await (const job of jobs<Payload>(transport, { filter, order: "asc", pageSize: 2 })) {
    found.push(job);
    if (found.length === 2) throw new ZizqMultipleMatchesError(operation, found.map((each) => each.id));
  }
  return found[0];
}

/** Undefined when the job went away between finding it and changing it. */
async function unlessGone<T>(change: Promise<T>): Promise<T | undefined> {
  try {
    return await change;
  } catch (error) {
    if (error instanceof ZizqNotFoundError) return undefined;
    throw error;
  }
}

export async function updateOne(transport: Transport, filter: JobFilter, patch: JobPatch): Promise<JobInfo | undefined> {
  wirePatch(patch);
  const job = await findOne(transport, filter, "updateOne");
  return job && unlessGone(patchJob(transport, job.id, patch));
}

export async function deleteOne<Payload>(transport: Transport, filter: JobFilter): Promise<Job<Payload> | undefined> {
  const job = await findOne<Payload>(transport, filter, "deleteOne");
  return job && unlessGone(deleteJob(transport, job.id).then(() => job));
}
