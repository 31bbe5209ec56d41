import type { BudgetBinding } from "./budgets.ts";

/**
 * What one rebinding verb does to one job's bindings: new bindings, nothing (already as asked),
 * or not applicable (`bound`: POST on a key the job has; `unbound`: PATCH on a key it lacks),
 * which a single-job route refuses and a bulk route skips.
 */
export type Rebinding = { bindings: BudgetBinding[] } | "unchanged" | "bound" | "unbound";

export type Verb = (current: readonly BudgetBinding[]) => Rebinding;

const same = (a: readonly BudgetBinding[], b: readonly BudgetBinding[]) =>
  a.length === b.length && a.every((binding, i) => binding.key === b[i]?.key && binding.cost === b[i]?.cost);

const outcome = (current: readonly BudgetBinding[], next: BudgetBinding[]): Rebinding =>
  same(current, next) ? "unchanged" : { bindings: next };

/** POST: appends; refuses a key the job already has. */
export const add =
  (binding: BudgetBinding): Verb =>
  (current) =>
    current.some(({ key }) => key === binding.key) ? "bound" : { bindings: [...current, binding] };

/** PUT: replaces the binding whole, keeping its place, or appends it. */
export const set =
  (binding: BudgetBinding): Verb =>
  (current) => {
    const at = current.findIndex(({ key }) => key === binding.key);
    if (at === -1) return { bindings: [...current, binding] };
    return outcome(current, current.map((old, i) => (i === at ? binding : old)));
  };

/** PATCH: changes the cost of an existing binding only. */
export const setCost =
  (key: string, cost: number): Verb =>
  (current) =>
    current.some((binding) => binding.key === key)
      ? outcome(current, current.map((binding) => (binding.key === key ? { key, cost } : binding)))
      : "unbound";

/** DELETE one: a key the job does not have is simply unchanged. */
export const remove =
  (key: string): Verb =>
  (current) =>
    outcome(current, current.filter((binding) => binding.key !== key));

/** PUT the whole set; DELETE all is `replaceAll([])`. */
export const replaceAll =
  (bindings: BudgetBinding[]): Verb =>
  (current) =>
    outcome(current, bindings);
