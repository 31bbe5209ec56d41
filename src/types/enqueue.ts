import type { BudgetBindingInput } from "./budget.ts";
import type { BatchConfig, UniqueWhile } from "./job.ts";
import type { Duration, Instant } from "./time.ts";

/**
 * A backoff given by hand: the base and jitter may be durations such as `"15s"`. The retry
 * delay is `attempts^exponent` seconds, plus `base`, plus up to `jitter × attempts`.
 *
 * @example
 * ```ts
 * const backoff: BackoffInput = { exponent: 2, base: "10s", jitter: "5s" };
 * ```
 */
export type BackoffInput =
  | { exponent: number; base: Duration; jitter: Duration }
  | {
      exponent: number;
      /** @deprecated Use `base`, which takes the same values; `baseMs` goes in the next minor version. */
      baseMs: Duration;
      /** @deprecated Use `jitter`, which takes the same values; `jitterMs` goes in the next minor version. */
      jitterMs: Duration;
    };

/**
 * Retention given by hand; 0 removes finished jobs at once.
 *
 * @example
 * ```ts
 * const retention: RetentionInput = { completed: "1h", dead: "7d" };
 * ```
 */
export interface RetentionInput {
  /** How long a completed job stays visible. */
  completed?: Duration;
  /** How long a dead job stays visible. */
  dead?: Duration;
  /** @deprecated Use `completed`, which takes the same values; `completedMs` goes in the next minor version. */
  completedMs?: Duration;
  /** @deprecated Use `dead`, which takes the same values; `deadMs` goes in the next minor version. */
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
   * @default { exponent: 4, base: "15s", jitter: "30s" } (the server's default)
   */
  backoff?: BackoffInput;
  /**
   * How long finished jobs stay visible.
   *
   * @default { completed: 0, dead: "7d" } (the server's default)
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
