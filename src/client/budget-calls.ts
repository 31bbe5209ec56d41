import { ZizqConflictError } from "../errors/http-error.ts";
import {
  budget,
  checkBudgetKey,
  checkCost,
  wireBudgetBinding,
  wireBudgetBindings,
  wireBudgetPatch,
  wireBudgetPolicy,
} from "../protocol/mapping/budget.ts";
import { jobInfo } from "../protocol/mapping/job.ts";
import type { PickReply } from "../protocol/replies.ts";
import type { WireBudget, WireBudgetPolicy } from "../protocol/wire.ts";
import type { Budget, BudgetBindingInput, BudgetInput, BudgetPatch } from "../types/budget.ts";
import type { JobInfo } from "../types/job.ts";
import { checkBoolean } from "../utils/arguments.ts";
import { jobPath } from "./paths.ts";
import type { Transport } from "./transport.ts";
import { requireFeature } from "./version-gate.ts";

/*
 * The calls behind `client.budgets`: loaded on first use, so a producer's bundle carries none of
 * it. Each checks its arguments, then that the server is 0.7 or newer, then sends.
 */

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export async function define(transport: Transport, input: BudgetInput): Promise<Budget> {
  const body = wireBudgetPolicy(input, "budget", ["key", "replace"]);
  checkBudgetKey("budget.key", input.key);
  checkBoolean("budget.replace", input.replace);
  const method = input.replace ? "PUT" : "POST";
  return budget(await call(transport, method, budgetPath(input.key), body, method === "PUT", (r) => r.budget));
}

export async function ensure(transport: Transport, input: Omit<BudgetInput, "replace">): Promise<Budget> {
  const body = wireBudgetPolicy(input, "budget", ["key"]);
  checkBudgetKey("budget.key", input.key);
  const path = budgetPath(input.key);
  try {
    return budget(await call(transport, "POST", path, body, false, (r) => r.budget));
  } catch (error) {
    if (!(error instanceof ZizqConflictError)) throw error;
    const existing = await call(transport, "GET", path, undefined, true, (r) => r.budget);
    const stored = budget(existing);
    if (samePolicy(existing, body)) return stored;
    const policy = JSON.stringify({ allocation: stored.allocation, strategy: stored.strategy });
    const message = `budget ${JSON.stringify(input.key)} exists with another policy: ${policy}`;
    throw new ZizqConflictError(error.request, error.status, error.serverMessage, error.body, message);
  }
}

export async function get(transport: Transport, key: string): Promise<Budget> {
  return budget(await call(transport, "GET", budgetPath(key), undefined, true, (r) => r.budget));
}

export async function list(transport: Transport): Promise<Budget[]> {
  return (await call(transport, "GET", "/budgets", undefined, true, (r) => r.budgets)).budgets.map(budget);
}

export async function update(transport: Transport, key: string, patch: BudgetPatch): Promise<Budget> {
  const body = wireBudgetPatch(patch);
  return budget(await call(transport, "PATCH", budgetPath(key), body, false, (r) => r.budget));
}

export async function remove(transport: Transport, key: string): Promise<void> {
  await call(transport, "DELETE", budgetPath(key), undefined, false, (r) => r.none);
}

/** POST adds a binding (409 when bound); PUT (`replace`) sets it whole. */
export async function bindJob(transport: Transport, jobId: string, binding: BudgetBindingInput, replace: boolean): Promise<JobInfo> {
  const { key, ...body } = wireBudgetBinding(binding, "binding");
  return jobCall(transport, replace ? "PUT" : "POST", bindingPath(jobId, key), body, replace);
}

export async function setJobCost(transport: Transport, jobId: string, key: string, cost: number): Promise<JobInfo> {
  checkCost("cost", cost);
  return jobCall(transport, "PATCH", bindingPath(jobId, key), { cost }, false);
}

export async function unbindJob(transport: Transport, jobId: string, key: string): Promise<JobInfo> {
  return jobCall(transport, "DELETE", bindingPath(jobId, key), undefined, true);
}

export async function clearJobBudgets(transport: Transport, jobId: string): Promise<JobInfo> {
  return jobCall(transport, "DELETE", `${jobPath(jobId)}/budgets`, undefined, true);
}

export async function replaceJobBudgets(transport: Transport, jobId: string, bindings: readonly BudgetBindingInput[]): Promise<JobInfo> {
  const body = { budgets: wireBudgetBindings(bindings, "bindings") };
  return jobCall(transport, "PUT", `${jobPath(jobId)}/budgets`, body, true);
}

async function jobCall(transport: Transport, method: Method, path: string, body: unknown, idempotent: boolean): Promise<JobInfo> {
  return jobInfo(await call(transport, method, path, body, idempotent, (r) => r.job));
}

async function call<Body>(transport: Transport, method: Method, path: string, body: unknown, idempotent: boolean, reply: PickReply<Body>): Promise<Body> {
  await requireFeature(transport, "budgets");
  return (await transport.send({ method, path, body, idempotent, reply })).body;
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
