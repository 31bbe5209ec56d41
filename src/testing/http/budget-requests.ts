import { array, compact, nullable, object, only, optional, present, string, unsigned } from "./fields.ts";

/**
 * Budget bodies (Zizq 0.7). Unlike every 0.6.1 body they refuse unknown fields, at every level.
 * What they read is still raw: key rules, the strategy tag and the limits are checked after
 * the licence, with 422.
 */

export interface StrategyInput {
  type: string;
  durationMs?: number;
  burst?: number;
}

export interface PolicyInput {
  allocation: number;
  strategy: StrategyInput;
}

export interface BindingInput {
  key: string;
  cost?: number;
  createWith?: PolicyInput;
  /** Reserved by the server: any value is refused with 422. */
  bucket?: string;
}

/** A merge patch: absent (or null) leaves a field alone, except `burst: null`, which clears it. */
export interface PolicyPatchInput {
  allocation?: number;
  strategy?: { type?: string; durationMs?: number; burst?: number | null };
}

const u64 = (value: unknown) => unsigned(value, "u64");
const u32 = (value: unknown) => unsigned(value, "u32");

function strategy(value: unknown): StrategyInput {
  const fields = only(object(value, "struct BudgetStrategyRequest"), ["type", "duration_ms", "burst"]);
  return compact({
    type: string(present(fields, "type")),
    durationMs: optional(fields, "duration_ms", u64),
    burst: optional(fields, "burst", u32),
  });
}

/** `POST`/`PUT /budgets/{key}`, and a binding's `create_with`. */
export function policy(value: unknown): PolicyInput {
  const fields = only(object(value, "struct BudgetRequest"), ["allocation", "strategy"]);
  return { allocation: u32(present(fields, "allocation")), strategy: strategy(present(fields, "strategy")) };
}

export function policyPatch(value: unknown): PolicyPatchInput {
  const fields = only(object(value, "struct PatchBudgetRequest"), ["allocation", "strategy"]);
  const patch: PolicyPatchInput = compact({
    allocation: optional(fields, "allocation", u32),
    strategy: optional(fields, "strategy", (inner) => {
      const sub = only(object(inner, "struct PatchBudgetStrategyRequest"), ["type", "duration_ms", "burst"]);
      const burst = nullable(sub, "burst", u32);
      return compact({ type: optional(sub, "type", string), durationMs: optional(sub, "duration_ms", u64), burst });
    }),
  });
  return patch;
}

function bindingFields(fields: Record<string, unknown>): Omit<BindingInput, "key"> {
  return compact({
    cost: optional(fields, "cost", u32),
    createWith: optional(fields, "create_with", policy),
    bucket: optional(fields, "bucket", string),
  });
}

/** An item of `budgets` on enqueue, on a cron template and in `PUT /jobs/{id}/budgets`. */
export function binding(value: unknown): BindingInput {
  const fields = only(object(value, "struct BudgetBindingRequest"), ["key", "cost", "create_with", "bucket"]);
  return { key: string(present(fields, "key")), ...bindingFields(fields) };
}

/** The body of a bind (`POST`/`PUT .../budgets/{key}`): the key is in the path. */
export function bind(value: unknown): Omit<BindingInput, "key"> {
  return bindingFields(only(object(value, "struct BindBudgetRequest"), ["cost", "create_with", "bucket"]));
}

/** The body of a cost change (`PATCH .../budgets/{key}`): `cost` is required. */
export function cost(value: unknown): number {
  const fields = only(object(value, "struct SetBudgetCostRequest"), ["cost"]);
  return u32(present(fields, "cost"));
}

/** `PUT /jobs/{id}/budgets`: the whole set, each with its key. */
export function bindings(value: unknown): BindingInput[] {
  const fields = only(object(value, "struct ReplaceBudgetsRequest"), ["budgets"]);
  return array(present(fields, "budgets")).map(binding);
}
