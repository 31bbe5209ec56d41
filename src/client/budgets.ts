import type { Budget, BudgetBindingInput, BudgetInput, BudgetPatch } from "../types/budget.ts";
import type { JobInfo } from "../types/job.ts";
import { lazy } from "../utils/lazy.ts";
import type { Transport } from "./transport.ts";

/**
 * The most a budget can pay at once, which bounds every cost bound to it: the burst of a
 * `time_based` budget when set, else the allocation; undefined for a strategy this client does
 * not know.
 */
export function budgetCapacity(budget: Budget): number | undefined {
  const { strategy } = budget;
  if (strategy.type === "unknown") return undefined;
  return strategy.type === "time_based" ? (strategy.burst ?? budget.allocation) : budget.allocation;
}

/** The calls load with the first one, so a producer's bundle carries only this class. */
const calls = lazy(() => import("./budget-calls.ts"));

/**
 * Budgets (Zizq 0.7, Pro), as `client.budgets`: named token pools that cap how fast
 * (`time_based`) or how many at once (`while_in_flight`) the jobs drawing on them are
 * dispatched, and the bindings of single jobs. Every call checks its arguments, then that the
 * server is 0.7 or newer (`ZizqVersionError` otherwise, before anything is written: a 0.6
 * server would run budgeted jobs unthrottled).
 *
 * @example
 * ```ts
 * await client.budgets.ensure({ key: "stripe", allocation: 3, strategy: { type: "while_in_flight" } });
 * ```
 */
export class Budgets {
  /** @internal Use `client.budgets`. */
  constructor(private readonly transport: Transport) {}

  /**
   * Creates a budget; `ZizqConflictError` when the key exists, leaving its policy alone. With
   * `replace: true` it creates or replaces the policy instead (`createdAt` is kept).
   */
  async define(budget: BudgetInput): Promise<Budget> {
    return (await calls()).define(this.transport, budget);
  }

  /**
   * Creates a budget unless one with the same policy exists: the call every replica can make at
   * boot. A budget under that key with another policy is a `ZizqConflictError` (change it with
   * `define({ ..., replace: true })` or `update`).
   */
  async ensure(budget: Omit<BudgetInput, "replace">): Promise<Budget> {
    return (await calls()).ensure(this.transport, budget);
  }

  /** One budget; `ZizqNotFoundError` when missing. */
  async get(key: string): Promise<Budget> {
    return (await calls()).get(this.transport, key);
  }

  /** Every budget, sorted by key. */
  async list(): Promise<Budget[]> {
    return (await calls()).list(this.transport);
  }

  /**
   * Merges a patch into a budget's policy, `strategy` included: `{ strategy: { burst: 5 } }`
   * keeps the type and duration; `burst: null` clears the burst. Takes effect at once.
   */
  async update(key: string, patch: BudgetPatch): Promise<Budget> {
    return (await calls()).update(this.transport, key, patch);
  }

  /** Deletes a budget; `ZizqConflictError` while an unfinished job or a cron entry draws on it. */
  async delete(key: string): Promise<void> {
    return (await calls()).remove(this.transport, key);
  }

  // --- one job's bindings: only a scheduled or ready job may change them ---

  /** Binds a budget to a queued job; `ZizqConflictError` when the job already draws on it. */
  async bindJob(jobId: string, binding: BudgetBindingInput): Promise<JobInfo> {
    return (await calls()).bindJob(this.transport, jobId, binding, false);
  }

  /** Binds a budget to a queued job, or replaces that binding whole (an omitted cost is 1 again). */
  async rebindJob(jobId: string, binding: BudgetBindingInput): Promise<JobInfo> {
    return (await calls()).bindJob(this.transport, jobId, binding, true);
  }

  /** Changes the cost of a budget the job draws on; `ZizqNotFoundError` when it does not. */
  async setJobCost(jobId: string, key: string, cost: number): Promise<JobInfo> {
    return (await calls()).setJobCost(this.transport, jobId, key, cost);
  }

  /** Unbinds one budget from a queued job (one it does not draw on changes nothing). */
  async unbindJob(jobId: string, key: string): Promise<JobInfo> {
    return (await calls()).unbindJob(this.transport, jobId, key);
  }

  /** Unbinds every budget from a queued job: it runs unthrottled. */
  async clearJobBudgets(jobId: string): Promise<JobInfo> {
    return (await calls()).clearJobBudgets(this.transport, jobId);
  }

  /** Replaces every binding of a queued job with `bindings`, in that order; `[]` unbinds all. */
  async replaceJobBudgets(jobId: string, bindings: readonly BudgetBindingInput[]): Promise<JobInfo> {
    return (await calls()).replaceJobBudgets(this.transport, jobId, bindings);
  }
}
