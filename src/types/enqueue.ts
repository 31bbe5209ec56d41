import type { BudgetBindingInput } from "./budget.ts";
import type { BatchConfig, UniqueWhile } from "./job.ts";
import type { Duration, Instant } from "./time.ts";

/**
 * A backoff given by hand: the base and jitter may be durations such as `"15s"`.
 *
 * @example
 * ```ts
 * const backoff: BackoffInput = { exponent: 2, baseMs: "10s", jitterMs: "5s" };
 * ```
 */
export interface BackoffInput {
  exponent: number;
  baseMs: Duration;
  jitterMs: Duration;
}

/**
 * Retention given by hand; 0 removes finished jobs at once.
 *
 * @example
 * ```ts
 * const retention: RetentionInput = { completedMs: "1h", deadMs: "7d" };
 * ```
 */
export interface RetentionInput {
  completedMs?: Duration;
  deadMs?: Duration;
}

/** Options shared by a job type's defaults and a single enqueue. */
export interface JobOptions {
  /**
   * 0 (first) to 65535 (last).
   *
   * @default 32768 (the server's default)
   */
  priority?: number;
  /**
   * Retries after the first failure; 0 means the first failure kills the job.
   *
   * @default 25 (the server's default)
   */
  retryLimit?: number;
  /**
   * Delay between retries.
   *
   * @default { exponent: 4, baseMs: "15s", jitterMs: "30s" } (the server's default)
   */
  backoff?: BackoffInput;
  /**
   * How long finished jobs stay visible.
   *
   * @default { completedMs: 0, deadMs: "7d" } (the server's default)
   */
  retention?: RetentionInput;
  /**
   * The budgets the job draws on (Zizq 0.7, Pro): it is dispatched only when every one can pay
   * its cost. An enqueue's list replaces the type's; `[]` enqueues the job unthrottled.
   *
   * @example
   * ```ts
   * { budgets: [{ key: "stripe", cost: 2 }] }
   * ```
   */
  budgets?: readonly BudgetBindingInput[];
}

/**
 * Options of one enqueue; they override the job type's defaults.
 *
 * @example
 * ```ts
 * await client.enqueue(SendEmail, { to: "a@example.com" }, { delay: "10m", priority: 10 });
 * ```
 */
export interface EnqueueOptions extends JobOptions {
  /**
   * When the job becomes ready. Past values are kept as given (the job is ready at once).
   *
   * @default now
   */
  readyAt?: Instant;
  /** Ready this long from now; an alternative to `readyAt`. */
  delay?: Duration;
  /** Zizq Pro: a job with the same key is not enqueued twice (the existing one is answered). */
  uniqueKey?: string;
  /**
   * How long `uniqueKey` blocks duplicates; needs a `uniqueKey`.
   *
   * @default "queued" (the server's default)
   */
  uniqueWhile?: UniqueWhile;
  /** Zizq Pro: fold this payload into an open batch job. */
  batch?: BatchConfig;
}
