import type { Job } from "../types/job.ts";
import type { Outcome } from "./outcome.ts";

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
 * dispatch. Every member is optional, and a Client, Worker or endpoint without an
 * instrumentation pays nothing for it.
 */
export interface Instrumentation {
  /**
   * Wraps one enqueue (`bulk` false, one job) or a bulk enqueue; calls `send` once and answers
   * what it answers.
   */
  enqueue?<T>(jobs: OutgoingJob[], bulk: boolean, send: () => Promise<T>): Promise<T>;
  /**
   * Wraps one job's dispatch (schema check and handler); calls `run` once, with the job or a
   * copy of it (its payload without a trace carrier), and answers its outcome.
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
