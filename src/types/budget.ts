/**
 * How a budget hands out its tokens, as given to `define` and `createWith`: a rate
 * (`time_based`: `allocation` tokens per `durationMs`, dripped continuously, at most `burst`
 * banked) or a concurrency cap (`while_in_flight`: tokens come back when a job leaves flight).
 *
 * @example
 * ```ts
 * const rate: BudgetStrategyInput = { type: "time_based", durationMs: 60_000, burst: 5 };
 * const cap: BudgetStrategyInput = { type: "while_in_flight" };
 * ```
 */
export type BudgetStrategyInput =
  | { type: "time_based"; durationMs: number; burst?: number }
  | { type: "while_in_flight" };

/** A budget's policy to create or replace: its tokens and how they come back. */
export interface BudgetPolicyInput {
  /** 1 to 1 000 000 tokens. */
  allocation: number;
  strategy: BudgetStrategyInput;
}

/** What `client.budgets.define` takes: the key and its policy. */
export interface BudgetInput extends BudgetPolicyInput {
  /** Same rules as a queue name; `/`, `.` and `:` are fine. */
  key: string;
  /** Replace the policy of an existing budget (PUT) instead of refusing it with `ZizqConflictError`. */
  replace?: boolean;
}

/** A `time_based` strategy as the server reports it. */
export interface TimeBasedStrategy {
  type: "time_based";
  durationMs: number;
  /** The most tokens banked; absent means the allocation. */
  burst?: number;
}

/** A `while_in_flight` strategy as the server reports it. */
export interface WhileInFlightStrategy {
  type: "while_in_flight";
}

/** A strategy a newer server knows and this client does not: `kind` is the server's name for it. */
export interface UnknownStrategy {
  type: "unknown";
  kind: string;
}

/** A budget's strategy as the server reports it. */
export type BudgetStrategy = TimeBasedStrategy | WhileInFlightStrategy | UnknownStrategy;

/** A budget as the server reports it. Timestamps are ms since the epoch. */
export interface Budget {
  key: string;
  allocation: number;
  strategy: BudgetStrategy;
  createdAt: number;
  updatedAt: number;
}

/**
 * A merge patch of a budget's policy: a key left out is unchanged, and inside `strategy` too.
 * `burst: null` clears the burst back to the allocation; nothing else may be null. Switching to
 * `while_in_flight` drops the duration and burst, so neither may be sent with it.
 */
export interface BudgetPatch {
  allocation?: number;
  strategy?: { type: "while_in_flight" } | { type?: "time_based"; durationMs?: number; burst?: number | null };
}

/** A job's draw on a budget, as given on enqueue, in `defineJob` defaults, cron templates and rebinds. */
export interface BudgetBindingInput {
  key: string;
  /** Tokens the job takes from the budget, from 1 to its capacity. Default 1. */
  cost?: number;
  /** Creates the budget with this policy if it is missing (ignored when it exists), atomically with the write. */
  createWith?: BudgetPolicyInput;
}

/** A job's draw on a budget as the server reports it. */
export interface BudgetBinding {
  key: string;
  cost: number;
}

/**
 * What a bulk rebind over `client.jobs(filter)` did: how many jobs changed, and the ids of
 * in-flight jobs it would have changed (retry them once they leave flight).
 */
export interface BudgetChange {
  changed: number;
  blocked: string[];
}
