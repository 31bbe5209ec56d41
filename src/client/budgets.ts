import { ZizqConflictError } from "../errors/http-error.ts";
import {
  budget,
  checkBudgetKey,
  checkCost,
  wireBudgetBinding,
  wireBudgetBindings,
  wireBudgetPatch,
  wireBudgetPolicy,
} from "../protocol/budget-map.ts";
import type { PickReply } from "../protocol/replies.ts";
import type { WireBudget, WireBudgetPolicy } from "../protocol/wire.ts";
import type { Budget, BudgetBindingInput, BudgetInput, BudgetPatch } from "../types/budget.ts";
import { checkBoolean } from "../utils/arguments.ts";
import { jobPath } from "./paths.ts";
import type { Transport } from "./transport.ts";
import type { JobInfo } from "./types.ts";
import { requireFeature } from "./version-gate.ts";
import { jobInfo } from "./wire-convert.ts";

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * Budgets (Zizq 0.7, Pro): named token pools that cap how fast (`time_based`) or how many at once
 * (`while_in_flight`) the jobs drawing on them are dispatched, and the bindings of single jobs.
 * Every call checks its arguments, then that the server is 0.7 or newer (`ZizqVersionError`
 * otherwise, before anything is written: a 0.6 server would run budgeted jobs unthrottled).
 */
export class Budgets {
  /** @internal Use `client.budgets`. */
  constructor(private readonly transport: Transport) {}

  /**
   * Creates a budget; `ZizqConflictError` when the key exists, leaving its policy alone. With
   * `replace: true` it creates or replaces the policy instead (`createdAt` is kept).
   */
  async define(input: BudgetInput): Promise<Budget> {
    const body = wireBudgetPolicy(input, "budget", ["key", "replace"]);
    checkBudgetKey("budget.key", input.key);
    checkBoolean("budget.replace", input.replace);
    const method = input.replace ? "PUT" : "POST";
    return budget(await this.call(method, budgetPath(input.key), body, method === "PUT", (r) => r.budget));
  }

  /**
   * Creates a budget unless one with the same policy exists: the call every replica can make at
   * boot. A budget under that key with another policy is a `ZizqConflictError` (use `define`
   * with `replace: true`, or `update`, to change it).
   */
  async ensure(input: Omit<BudgetInput, "replace">): Promise<Budget> {
    const body = wireBudgetPolicy(input, "budget", ["key"]);
    checkBudgetKey("budget.key", input.key);
    const path = budgetPath(input.key);
    try {
      return budget(await this.call("POST", path, body, false, (r) => r.budget));
    } catch (error) {
      if (!(error instanceof ZizqConflictError)) throw error;
      const existing = await this.call("GET", path, undefined, true, (r) => r.budget);
      if (samePolicy(existing, body)) return budget(existing);
      const message = `budget ${JSON.stringify(input.key)} exists with another policy: ${JSON.stringify({ allocation: existing.allocation, strategy: existing.strategy })}`;
      throw new ZizqConflictError(error.request, error.status, error.serverMessage, error.body, message);
    }
  }

  /** One budget; `ZizqNotFoundError` when missing. */
  async get(key: string): Promise<Budget> {
    return budget(await this.call("GET", budgetPath(key), undefined, true, (r) => r.budget));
  }

  /** Every budget, sorted by key. */
  async list(): Promise<Budget[]> {
    return (await this.call("GET", "/budgets", undefined, true, (r) => r.budgets)).budgets.map(budget);
  }

  /**
   * Merges a patch into a budget's policy, `strategy` included: `{ strategy: { burst: 5 } }`
   * keeps the type and duration; `burst: null` clears the burst. Takes effect at once.
   */
  async update(key: string, patch: BudgetPatch): Promise<Budget> {
    const body = wireBudgetPatch(patch);
    return budget(await this.call("PATCH", budgetPath(key), body, false, (r) => r.budget));
  }

  /** Deletes a budget; `ZizqConflictError` while an unfinished job or a cron entry draws on it. */
  async delete(key: string): Promise<void> {
    await this.call("DELETE", budgetPath(key), undefined, false, (r) => r.none);
  }

  // --- one job's bindings: only a scheduled or ready job may change them ---

  /** Binds a budget to a queued job; `ZizqConflictError` when the job already draws on it. */
  async bindJob(jobId: string, binding: BudgetBindingInput): Promise<JobInfo> {
    const { key, ...body } = wireBudgetBinding(binding, "binding");
    return this.jobCall("POST", bindingPath(jobId, key), body, false);
  }

  /** Binds a budget to a queued job, or replaces that binding whole (an omitted cost is 1 again). */
  async rebindJob(jobId: string, binding: BudgetBindingInput): Promise<JobInfo> {
    const { key, ...body } = wireBudgetBinding(binding, "binding");
    return this.jobCall("PUT", bindingPath(jobId, key), body, true);
  }

  /** Changes the cost of a budget the job draws on; `ZizqNotFoundError` when it does not. */
  async setJobCost(jobId: string, key: string, cost: number): Promise<JobInfo> {
    checkCost("cost", cost);
    return this.jobCall("PATCH", bindingPath(jobId, key), { cost }, false);
  }

  /** Unbinds one budget from a queued job (a budget it does not draw on changes nothing). */
  async unbindJob(jobId: string, key: string): Promise<JobInfo> {
    return this.jobCall("DELETE", bindingPath(jobId, key), undefined, true);
  }

  /** Unbinds every budget from a queued job: it runs unthrottled. */
  async clearJobBudgets(jobId: string): Promise<JobInfo> {
    return this.jobCall("DELETE", `${jobPath(jobId)}/budgets`, undefined, true);
  }

  /** Replaces every binding of a queued job with `bindings`, in that order; `[]` unbinds all. */
  async replaceJobBudgets(jobId: string, bindings: readonly BudgetBindingInput[]): Promise<JobInfo> {
    const body = { budgets: wireBudgetBindings(bindings, "bindings") };
    return this.jobCall("PUT", `${jobPath(jobId)}/budgets`, body, true);
  }

  private async jobCall(method: Method, path: string, body: unknown, idempotent: boolean): Promise<JobInfo> {
    return jobInfo(await this.call(method, path, body, idempotent, (r) => r.job));
  }

  private async call<Body>(method: Method, path: string, body: unknown, idempotent: boolean, reply: PickReply<Body>): Promise<Body> {
    await requireFeature(this.transport, "budgets");
    return (await this.transport.send({ method, path, body, idempotent, reply })).body;
  }
}

function budgetPath(key: string): string {
  checkBudgetKey("key", key);
  return `/budgets/${encodeURIComponent(key)}`;
}

function bindingPath(jobId: string, key: string): string {
  checkBudgetKey("key", key);
  return `${jobPath(jobId)}/budgets/${encodeURIComponent(key)}`;
}

/** Whether a stored budget has the policy a define would have given it. */
function samePolicy(existing: WireBudget, wanted: WireBudgetPolicy): boolean {
  const a = existing.strategy;
  const b = wanted.strategy;
  return existing.allocation === wanted.allocation && a.type === b.type && a.duration_ms === b.duration_ms && a.burst === b.burst;
}
