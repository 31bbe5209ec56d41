import type { PolicyInput, PolicyPatchInput, StrategyInput } from "../http/budget-requests.ts";
import { nameError } from "../../protocol/names.ts";
import { InvalidOperation } from "./errors.ts";

export const MAX_ALLOCATION = 1_000_000;

export type Strategy = { type: "time_based"; durationMs: number; burst?: number } | { type: "while_in_flight" };

export interface Policy {
  allocation: number;
  strategy: Strategy;
}

/** The most a budget can hold at once, so the most one job may cost: the burst if set, else the allocation. */
export const capacityOf = (policy: Policy) =>
  (policy.strategy.type === "time_based" ? policy.strategy.burst : undefined) ?? policy.allocation;

/** The server's key rules for budgets (those of queue names), refused with 422. */
export function checkBudgetKey(key: string): void {
  const badKey = nameError("budget key", key);
  if (badKey) throw new InvalidOperation(badKey);
}

/** The strategy tag, read by hand as the server does (422 for what serde let through). */
export function parseStrategy(input: StrategyInput): Strategy {
  if (input.type === "time_based") {
    if (input.durationMs === undefined) throw new InvalidOperation("time_based budget requires strategy.duration_ms");
    return input.burst === undefined
      ? { type: "time_based", durationMs: input.durationMs }
      : { type: "time_based", durationMs: input.durationMs, burst: input.burst };
  }
  if (input.type === "while_in_flight") {
    if (input.burst !== undefined) {
      throw new InvalidOperation(
        "while_in_flight budget must not set strategy.burst — it has no drip to burst ahead of, so its allocation is already the most that can run at once",
      );
    }
    if (input.durationMs !== undefined) {
      throw new InvalidOperation(
        "while_in_flight budget must not set strategy.duration_ms — its tokens return on acknowledgement, not on a clock",
      );
    }
    return { type: "while_in_flight" };
  }
  throw new InvalidOperation(`unknown budget strategy: ${JSON.stringify(input.type)} (expected "time_based" or "while_in_flight")`);
}

export const parsePolicy = (input: PolicyInput): Policy => ({ allocation: input.allocation, strategy: parseStrategy(input.strategy) });

/** The limits a stored policy must keep (the server's `Budget::new`). */
export function checkPolicy(policy: Policy): void {
  if (policy.allocation < 1) throw new InvalidOperation("budget allocation must be at least 1");
  if (policy.allocation > MAX_ALLOCATION) throw new InvalidOperation(`budget allocation must not exceed ${MAX_ALLOCATION}`);
  const { strategy } = policy;
  if (strategy.type !== "time_based") return;
  if (strategy.durationMs < 1) throw new InvalidOperation("time_based budget duration_ms must be at least 1");
  if (strategy.burst !== undefined && strategy.burst < 1) throw new InvalidOperation("time_based budget burst must be at least 1");
  if (strategy.burst !== undefined && strategy.burst > MAX_ALLOCATION) {
    throw new InvalidOperation(`time_based budget burst must not exceed ${MAX_ALLOCATION}`);
  }
}

/**
 * A merge patch over a policy, recursing into `strategy`. Switching to `while_in_flight` drops
 * the period and burst; the merged result is then read like a new strategy, so what it cannot
 * keep is refused.
 */
export function mergePolicy(policy: Policy, patch: PolicyPatchInput): Policy {
  const old = policy.strategy;
  const change = patch.strategy ?? {};
  const type = change.type ?? old.type;
  if (type !== "time_based" && type !== "while_in_flight") {
    throw new InvalidOperation(`unknown strategy type ${JSON.stringify(type)} (expected "time_based" or "while_in_flight")`);
  }
  const kept = type === old.type && old.type === "time_based" ? old : undefined;
  const durationMs = change.durationMs ?? kept?.durationMs;
  const burst = change.burst === null ? undefined : (change.burst ?? kept?.burst);
  const strategy: StrategyInput = { type };
  if (durationMs !== undefined) strategy.durationMs = durationMs;
  if (burst !== undefined) strategy.burst = burst;
  return { allocation: patch.allocation ?? policy.allocation, strategy: parseStrategy(strategy) };
}

/** The wire form: `duration_ms` only for `time_based`, `burst` only when set. */
export function strategyView(strategy: Strategy): Record<string, unknown> {
  if (strategy.type === "while_in_flight") return { type: strategy.type };
  const view: Record<string, unknown> = { type: strategy.type, duration_ms: strategy.durationMs };
  if (strategy.burst !== undefined) view.burst = strategy.burst;
  return view;
}
