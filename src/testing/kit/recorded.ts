import { ZizqArgumentError } from "../../errors/argument-error.ts";
import { isJobDefinition, type JobDefinition } from "../../job/define-job.ts";
import { payloadMatches } from "../../client/payload-match.ts";
import type { ErrorRecord, Job, JobStatus } from "../../types/job.ts";
import type { PayloadPattern } from "../../types/pattern.ts";
import { checkObject, shown } from "../../utils/arguments.ts";
import { internalsOf, type RecordedJob } from "../internals.ts";
import type { TestServer } from "../types.ts";

/** What the assertions read: a test client (from `createTestClient`) or a server that records jobs. */
export type Recorder = TestServer | { readonly server: TestServer };

/** Which jobs `counts` counts; every condition given must hold. */
export interface CountFilter {
  /** Jobs of this type (a definition or a type name). */
  type?: JobDefinition<any, any> | string;
  queue?: string;
}

/** Every job the server created since its last reset, oldest first. */
export function recordedJobs(source: Recorder): RecordedJob[] {
  const server = typeof source === "object" && source !== null && "server" in source ? source.server : source;
  const internals = internalsOf(server);
  if (internals === undefined) throw new ZizqArgumentError("server", `expected a test client or a server from createTestServer, got ${shown(server)}`);
  if (internals.recorded === undefined) {
    throw new ZizqArgumentError("server", "does not record jobs: make it with createTestClient(), or createTestServer({ recordJobs: true })");
  }
  return internals.recorded();
}

/** The type name of a definition, checked. */
export function typeOf(definition: JobDefinition<any, any> | string, field = "definition"): string {
  if (typeof definition === "string") return definition;
  if (!isJobDefinition(definition)) throw new ZizqArgumentError(field, `expected a job type from defineJob, got ${shown(definition)}`);
  return definition.type;
}

/** Whether a payload matches a pattern: `payloadMatches`, or a runner's extension of it. */
export type Matches = (payload: unknown, pattern: unknown) => boolean;

/** The recorded jobs of the definition's type whose payload matches `pattern` (all of the type without one). */
export function matching(recorded: readonly RecordedJob[], type: string, pattern: unknown, matches: Matches = payloadMatches): RecordedJob[] {
  return recorded.filter(({ job }) => job.type === type && (pattern === undefined || matches(job.payload, pattern)));
}

/**
 * The jobs of `definition`'s type enqueued since the last reset, oldest first, in any status
 * (completed and deleted ones too, as they last were), whose payload matches `payload`: objects
 * partially and recursively, arrays and scalars by equality.
 *
 * @example
 * ```ts
 * const [job] = enqueued(zizq, SendEmail, { to: "a@example.com" });
 * ```
 */
export function enqueued<Input, Output>(source: Recorder, definition: JobDefinition<Input, Output>, payload?: PayloadPattern<Input>): Job<Input>[] {
  return matching(recordedJobs(source), typeOf(definition), payload).map(({ job }) => job as Job<Input>);
}

/**
 * How many jobs enqueued since the last reset are in each status now. A job the server removed
 * counts under the status it ended in (`completed`, `dead`); a deleted one no longer counts.
 */
export function counts(source: Recorder, filter: CountFilter = {}): Record<JobStatus, number> {
  checkObject("filter", filter);
  const type = filter.type === undefined ? undefined : typeOf(filter.type, "filter.type");
  const tally: Record<JobStatus, number> = { scheduled: 0, ready: 0, in_flight: 0, completed: 0, dead: 0 };
  for (const { job, held } of recordedJobs(source)) {
    if ((type !== undefined && job.type !== type) || (filter.queue !== undefined && job.queue !== filter.queue)) continue;
    if (held || job.status === "completed" || job.status === "dead") tally[job.status]++;
  }
  return tally;
}

/** The job's last failure (its newest error record), or undefined if it never failed. */
export function lastError(source: Recorder, job: string | { readonly id: string }): ErrorRecord | undefined {
  const id = typeof job === "string" ? job : job?.id;
  if (typeof id !== "string") throw new ZizqArgumentError("job", `expected a job or its id, got ${shown(job)}`);
  const found = recordedJobs(source).find((recorded) => recorded.job.id === id);
  if (found === undefined) throw new ZizqArgumentError("job", `no job ${id} was enqueued since the last reset`);
  return found.errors.at(-1);
}
