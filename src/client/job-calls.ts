/**
 * Acking, failing, reading and managing single jobs, and asking about the server: the Client's
 * methods load this module on first use, so a producer's bundle carries none of it.
 */
import { ZizqArgumentError } from "../errors/argument-error.ts";
import { ZizqDecodeError } from "../errors/decode-error.ts";
import { ZizqUnprocessableError } from "../errors/http-error.ts";
import { ZizqVersionError } from "../errors/version-error.ts";
import { errorRecord, job, jobInfo } from "../protocol/mapping/job.ts";
import { wireFailure } from "../protocol/mapping/failure.ts";
import { wirePatch } from "../protocol/mapping/patch.ts";
import { type PickReply, REPLIES, shapeProblem } from "../protocol/replies.ts";
import type { Failure } from "../types/failure.ts";
import type { ErrorRecord, Job, JobInfo } from "../types/job.ts";
import type { JobPatch } from "../types/patch.ts";
import { shown } from "../utils/arguments.ts";
import { jobPath } from "./paths.ts";
import type { Transport } from "./transport.ts";
import { SUPPORTED_MAJOR } from "./version.ts";

export async function ack(transport: Transport, id: string): Promise<void> {
  await transport.send({ method: "POST", path: `${jobPath(id)}/success`, idempotent: true, doneWhenRetried: [404], reply: (r) => r.none });
}

export async function ackMany(transport: Transport, ids: readonly string[]): Promise<{ notFound: string[] }> {
  if (!Array.isArray(ids)) throw new ZizqArgumentError("ids", `expected an array of job ids, got ${shown(ids)}`);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (typeof id !== "string" || id === "") throw new ZizqArgumentError(`ids[${i}]`, `expected a job id, got ${shown(id)}`);
  }
  if (ids.length === 0) return { notFound: [] };
  try {
    await transport.send({ method: "POST", path: "/jobs/success", body: { ids }, idempotent: true, reply: (r) => r.none });
    return { notFound: [] };
  } catch (error) {
    // A 422 listing `not_found` is a partial success: every id not listed was acked.
    if (!(error instanceof ZizqUnprocessableError)) throw error;
    const body = error.body as { not_found?: unknown } | null | undefined;
    if (body?.not_found === undefined) throw error;
    const problem = shapeProblem(REPLIES.notFound, body);
    if (problem) throw new ZizqDecodeError(error.request, null, error, problem);
    return { notFound: body.not_found as string[] };
  }
}

export async function fail(transport: Transport, id: string, failure: Failure): Promise<JobInfo> {
  const body = wireFailure(failure);
  // Not retried: a nack is matched by job id alone, so a repeat of one that landed could fail
  // the same job's next attempt, taken meanwhile by another worker.
  const reply = await transport.send({ method: "POST", path: `${jobPath(id)}/failure`, body, idempotent: false, reply: (r) => r.job });
  return jobInfo(reply.body);
}

export async function getJob<Payload>(transport: Transport, id: string): Promise<Job<Payload>> {
  return job<Payload>(await get(transport, jobPath(id), (r) => r.jobWithPayload));
}

export async function patchJob(transport: Transport, id: string, patch: JobPatch): Promise<JobInfo> {
  const reply = await transport.send({ method: "PATCH", path: jobPath(id), body: wirePatch(patch), idempotent: false, reply: (r) => r.job });
  return jobInfo(reply.body);
}

export async function deleteJob(transport: Transport, id: string): Promise<void> {
  await transport.send({ method: "DELETE", path: jobPath(id), idempotent: false, reply: (r) => r.none });
}

export async function getError(transport: Transport, id: string, attempt: number): Promise<ErrorRecord> {
  if (!Number.isInteger(attempt) || attempt < 1) throw new ZizqArgumentError("attempt", `expected an integer from 1, got ${attempt}`);
  return errorRecord(await get(transport, `${jobPath(id)}/errors/${attempt}`, (r) => r.errorRecord));
}

export async function queues(transport: Transport): Promise<string[]> {
  return (await get(transport, "/queues", (r) => r.queues)).queues;
}

export async function health(transport: Transport): Promise<"ok"> {
  await get(transport, "/health", (r) => r.health);
  return "ok";
}

export async function serverVersion(transport: Transport): Promise<string> {
  return (await get(transport, "/version", (r) => r.version)).version;
}

export async function checkCompatibility(transport: Transport): Promise<string> {
  const version = await serverVersion(transport);
  const major = Number(/^(\d+)\./.exec(version)?.[1]);
  if (major !== SUPPORTED_MAJOR) throw new ZizqVersionError(version, SUPPORTED_MAJOR);
  return version;
}

export async function reset(transport: Transport): Promise<void> {
  await transport.send({ method: "POST", path: "/reset", idempotent: true, reply: (r) => r.none });
}

async function get<Body>(transport: Transport, path: string, reply: PickReply<Body>): Promise<Body> {
  return (await transport.send({ method: "GET", path, idempotent: true, reply })).body;
}
