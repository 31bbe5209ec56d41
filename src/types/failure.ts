import type { Instant } from "./time.ts";

/** What a handler reports when a job fails. */
export interface Failure {
  message: string;
  /** A short class of the error, such as its constructor name. */
  errorType?: string;
  backtrace?: string;
  /** Retry at this time, whatever the backoff and retry limit say. */
  retryAt?: Instant;
  /** Never retry: the job is dead at once. Wins over `retryAt`. */
  kill?: boolean;
}
