/** Bulk rebinding over a `JobQuery`'s jobs (`/jobs/budgets…`), loaded on first use. */
import { budgetChange, checkBudgetKey, checkCost, wireBudgetBinding } from "../protocol/mapping/budget.ts";
import type { BudgetBindingInput, BudgetChange } from "../types/budget.ts";
import type { JobFilter } from "../types/filter.ts";
import { filteredPath } from "./query-run.ts";
import type { Transport } from "./transport.ts";
import { requireFeature } from "./version-gate.ts";

/** POST binds where unbound; PUT (`replace`) binds or replaces. */
export function bindBudget(transport: Transport, filter: JobFilter, binding: BudgetBindingInput, replace: boolean): Promise<BudgetChange> {
  const { key, ...body } = wireBudgetBinding(binding, "binding");
  return change(transport, filter, replace ? "PUT" : "POST", key, body);
}

export function setBudgetCost(transport: Transport, filter: JobFilter, key: string, cost: number): Promise<BudgetChange> {
  checkBudgetKey("key", key);
  checkCost("cost", cost);
  return change(transport, filter, "PATCH", key, { cost });
}

export function unbindBudget(transport: Transport, filter: JobFilter, key: string): Promise<BudgetChange> {
  // Checked here, so a missing key can never fall through to the route that unbinds every budget.
  checkBudgetKey("key", key);
  return change(transport, filter, "DELETE", key, undefined);
}

export function clearAllBudgets(transport: Transport, filter: JobFilter): Promise<BudgetChange> {
  return change(transport, filter, "DELETE", undefined, undefined);
}

/**
 * One bulk call. An explicitly empty filter (`queue: []`) sends nothing: on the wire an empty set
 * would read as no filter, and change every job on the server. Not retried: a repeat would
 * answer counts of its own, and lose the first call's.
 */
async function change(transport: Transport, filter: JobFilter, method: "POST" | "PUT" | "PATCH" | "DELETE", key: string | undefined, body: unknown): Promise<BudgetChange> {
  const path = filteredPath(key === undefined ? "/jobs/budgets" : `/jobs/budgets/${encodeURIComponent(key)}`, filter);
  if (!path) return { changed: 0, blocked: [] };
  await requireFeature(transport, "budgets");
  return budgetChange((await transport.send({ method, path, body, idempotent: false, reply: (r) => r.budgetChange })).body);
}
