import type { JobDefinition } from "../../job/define-job.ts";
import type { Job } from "../../types/job.ts";
import type { PayloadPattern } from "../../types/pattern.ts";
import { integerAtLeast } from "../../utils/integer.ts";
import { ZizqAssertionError } from "./assertion-error.ts";
import { type Recorder, recordedJobs, typeOf } from "./recorded.ts";
import { judge } from "./report.ts";

/**
 * Throws a `ZizqAssertionError` listing what was enqueued unless a job of `definition`'s type
 * whose payload matches `payload` was enqueued since the last reset (exactly `times` of them,
 * when given). Returns the matching jobs.
 *
 * @example
 * ```ts
 * assertEnqueued(zizq, SendEmail, { to: "a@example.com" }, { times: 1 });
 * ```
 */
export function assertEnqueued<Input, Output>(
  source: Recorder,
  definition: JobDefinition<Input, Output>,
  payload?: PayloadPattern<Input>,
  options: { times?: number } = {},
): Job<Input>[] {
  const times = options.times === undefined ? undefined : integerAtLeast("options.times", options.times, 0);
  const verdict = judge(recordedJobs(source), typeOf(definition), payload, times === undefined ? "some" : { times });
  if (!verdict.pass) throw new ZizqAssertionError(verdict.message());
  return verdict.found.map(({ job }) => job as Job<Input>);
}

/** Throws a `ZizqAssertionError` if a job of `definition`'s type matching `payload` was enqueued since the last reset. */
export function assertNotEnqueued<Input, Output>(source: Recorder, definition: JobDefinition<Input, Output>, payload?: PayloadPattern<Input>): void {
  const verdict = judge(recordedJobs(source), typeOf(definition), payload, "none");
  if (!verdict.pass) throw new ZizqAssertionError(verdict.message());
}
