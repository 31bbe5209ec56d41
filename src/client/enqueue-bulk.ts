import { ZizqArgumentError } from "../errors/argument-error.ts";
import { isJobDefinition, type JobRequest } from "../job/define-job.ts";
import { enqueueBody } from "../job/enqueue-body.ts";
import { enqueuedJob } from "../protocol/mapping/job.ts";
import type { Instrumentation } from "../processing/instrumentation.ts";
import type { EnqueuedJob } from "../types/job.ts";
import { isObject, shown } from "../utils/arguments.ts";
import type { Transport } from "./transport.ts";
import { requireFeature } from "./version-gate.ts";

/**
 * `client.enqueueBulk`: many jobs, of any types, in one atomic request; every request is checked
 * before anything is sent. Loaded on first use, like the other calls a producer may not make.
 */
// Each request may be of a different job type, so their payload types differ.
export async function enqueueBulk(
  transport: Transport,
  now: number,
  requests: readonly JobRequest<any, any>[],
  instrumentation?: Instrumentation,
): Promise<EnqueuedJob[]> {
  if (!Array.isArray(requests)) throw new ZizqArgumentError("requests", `expected an array of Job.with(payload, options), got ${shown(requests)}`);
  requests.forEach((request, i) => {
    if (!isJobDefinition(request?.definition) || !isObject(request.options)) {
      throw new ZizqArgumentError(`requests[${i}]`, `expected Job.with(payload, options), got ${shown(request)}`);
    }
  });
  const jobs = await Promise.all(requests.map((request) => enqueueBody(request, now)));
  if (jobs.some((body) => body.budgets)) await requireFeature(transport, "budgets");
  const idempotent = jobs.length > 0 && jobs.every((body) => body.unique_key !== undefined);
  const send = async () => {
    const reply = await transport.send({ method: "POST", path: "/jobs/bulk", body: { jobs }, idempotent, reply: (r) => r.enqueuedJobs(jobs.length) });
    return reply.body.jobs.map(enqueuedJob);
  };
  // One bulk request carries many jobs: a closure per call costs nothing next to it.
  return instrumentation?.enqueue ? instrumentation.enqueue(jobs, true, send) : send();
}
