import type { Job } from "../types/job.ts";
import { joinFields, type Logger } from "../utils/logger.ts";
import { type Instrumentation, jobFields } from "./instrumentation.ts";

/**
 * A handler's `ctx`, which is its own `log`: a line gets the job's fields (id, type, queue,
 * attempt, and trace ids from the instrumentation) when it is written, so a job costs one object
 * as it did before logs carried fields. `log` is an own property, so `{ ...ctx }` keeps it, and
 * `toJSON` leaves that loop out, so a ctx handed to a JSON logger serialises.
 */
export class JobContext implements Logger {
  readonly attempt: number;
  readonly log: Logger = this;
  readonly #base: Logger;
  readonly #instrumentation: Instrumentation | undefined;

  constructor(
    readonly job: Job<unknown>,
    readonly signal: AbortSignal,
    base: Logger,
    instrumentation: Instrumentation | undefined,
  ) {
    this.attempt = job.attempts + 1;
    this.#base = base;
    this.#instrumentation = instrumentation;
  }

  toJSON(): { job: Job<unknown>; attempt: number } {
    return { job: this.job, attempt: this.attempt };
  }

  debug(message: string, details?: unknown): void {
    this.#base.debug(message, joinFields(jobFields(this.job, this.#instrumentation), details));
  }

  info(message: string, details?: unknown): void {
    this.#base.info(message, joinFields(jobFields(this.job, this.#instrumentation), details));
  }

  warn(message: string, details?: unknown): void {
    this.#base.warn(message, joinFields(jobFields(this.job, this.#instrumentation), details));
  }

  error(message: string, details?: unknown): void {
    this.#base.error(message, joinFields(jobFields(this.job, this.#instrumentation), details));
  }
}
