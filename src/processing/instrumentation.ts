import type { Job } from "../types/job.ts";
import type { Logger } from "../utils/logger.ts";
import { ZizqError } from "../errors/zizq-error.ts";
import { failed, type Outcome } from "./outcome.ts";

/**
 * A job on its way to `POST /jobs` or `POST /jobs/bulk`, after its payload passed the schema and
 * its unique key was derived: an instrumentation may replace `payload` (to carry a trace context)
 * and `batch.fold` (to keep the contexts of folded jobs). Its wire body, so names are Zizq's.
 */
export interface OutgoingJob {
  readonly type: string;
  readonly queue: string;
  payload: unknown;
  batch?: { key: string; when: string; fold: string } | null;
}

/**
 * The seam tracing and metrics plug into (`zizq-edge/otel` is one): the Client calls `enqueue`
 * around each enqueue, the Worker and the push endpoint call `process` around each job's
 * dispatch. Every member is optional. Without an instrumentation an enqueue costs one check and
 * a job one check and no allocation more than before; a job's log fields are computed only when a
 * line is written.
 */
export interface Instrumentation {
  /**
   * Wraps one enqueue (`bulk` false, one job) or a bulk enqueue; calls `send` once and answers
   * what it answers.
   */
  enqueue?<T>(jobs: OutgoingJob[], bulk: boolean, send: () => Promise<T>): Promise<T>;
  /**
   * Wraps one job's dispatch (schema check and handler); calls `run` once, with the job or a
   * copy of it (its payload without a trace carrier), and answers its outcome. If it throws or
   * rejects, the job fails (is nacked, and retried) with that error, logged with the job's fields.
   */
  process?(job: Job<unknown>, run: (job: Job<unknown>) => Promise<Outcome>): Promise<Outcome>;
  /** Fields joined to log lines about `job` (the job given to `run`): its trace and span ids. */
  logFields?(job: Job<unknown>): object | undefined;
}

/** The fields every log line about a job carries, so logs join traces. */
export function jobFields(job: Job<unknown>, instrumentation?: Instrumentation): object {
  const fields = { jobId: job.id, jobType: job.type, queue: job.queue, attempt: job.attempts + 1 };
  const extra = instrumentation?.logFields?.(job);
  return extra === undefined ? fields : { ...fields, ...extra };
}

/**
 * The job's outcome through `process`; never rejects. A `process` that throws (a bug, or a
 * propagator that cannot read a producer's carrier) fails the job with its error: the job is
 * nacked and retried rather than lost, and the next attempt runs only if the fault is gone. One
 * that answers anything but `run`'s outcome fails the job too: running it again here could run a
 * handler twice.
 */
export async function processed(
  instrumentation: Instrumentation,
  job: Job<unknown>,
  dispatch: (job: Job<unknown>) => Promise<Outcome>,
  logger: Logger,
  now: () => number,
): Promise<Outcome> {
  try {
    const outcome: unknown = await instrumentation.process?.(job, dispatch);
    if (isOutcome(outcome)) return outcome;
    throw new ZizqError(`the instrumentation's process answered ${typeof outcome === "object" ? JSON.stringify(outcome) : String(outcome)}, not the outcome its run gave`);
  } catch (error) {
    logger.error(`the instrumentation's process failed; failing job ${job.id}`, { ...jobFields(job), error });
    return failed(error, now);
  }
}

function isOutcome(value: unknown): value is Outcome {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return kind === "completed" || kind === "failed" || kind === "settled";
}
