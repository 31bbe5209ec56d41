/**
 * Budgets, their bindings and bulk rebinding results, both ways. What goes out is checked first,
 * as the server would check it (key rules, allocation, cost, duration), so a bad value is a
 * `ZizqArgumentError` naming the field before any request. A job's bindings as read are mapped
 * in job.ts, which every job read takes; this file loads only with a budget call or a budgeted
 * enqueue.
 *
 * Part of the one boundary between the server's snake_case and the library's camelCase: every
 * mapper lives in a file of protocol/mapping/, one per resource, so a bundle takes only the
 * mappers its calls use (a producer: enqueue.ts and job.ts).
 */
import { ZizqArgumentError } from "../../errors/argument-error.ts";
import type {
  Budget,
  BudgetBindingInput,
  BudgetChange,
  BudgetPatch,
  BudgetPolicyInput,
  BudgetStrategy,
  BudgetStrategyInput,
} from "../../types/budget.ts";
import { checkKnownKeys, checkObject, shown } from "../../utils/arguments.ts";
import { integerAtLeast, integerIn } from "../../utils/integer.ts";
import type {
  WireBudget,
  WireBudgetBindingRequest,
  WireBudgetChange,
  WireBudgetPatch,
  WireBudgetPolicy,
  WireBudgetStrategy,
} from "../wire.ts";
import { checkName } from "../names.ts";

/** The server's bounds on an allocation and a burst. */
const MAX_TOKENS = 1_000_000;
/** A cost is a u32 on the server; its real bound is the budget's capacity, which only the server knows. */
const MAX_COST = 0xffff_ffff;

/** A budget key, by the server's rules for names. */
export function checkBudgetKey(field: string, key: unknown): asserts key is string {
  checkName(field, key, "budget key");
}

/** The drip period: a whole number of ms (the `xMs` rule: a name ending in Ms is a number of ms). */
const durationMs = (field: string, value: unknown): number => integerAtLeast(field, value as number, 1);

function wireStrategy(strategy: BudgetStrategyInput, field: string): WireBudgetStrategy {
  checkObject(field, strategy, true);
  const given = strategy as Record<string, unknown>;
  if (strategy.type === "while_in_flight") {
    // Its tokens come back on acknowledgement, so there is no period or burst to give.
    checkKnownKeys(field, given, ["type"]);
    return { type: "while_in_flight" };
  }
  if (strategy.type !== "time_based") {
    throw new ZizqArgumentError(`${field}.type`, `expected "time_based" or "while_in_flight", got ${shown(given.type)}`);
  }
  checkKnownKeys(field, given, ["type", "durationMs", "burst"]);
  const wire: WireBudgetStrategy = { type: "time_based", duration_ms: durationMs(`${field}.durationMs`, strategy.durationMs) };
  if (strategy.burst !== undefined) {
    integerIn(`${field}.burst`, strategy.burst, 1, MAX_TOKENS);
    wire.burst = strategy.burst;
  }
  return wire;
}

/** A policy's wire form; `known` lists the other keys the object may hold (`key`, `replace`). */
export function wireBudgetPolicy(policy: BudgetPolicyInput, field: string, known: readonly string[] = []): WireBudgetPolicy {
  checkObject(field, policy, true);
  checkKnownKeys(field, policy as unknown as Record<string, unknown>, ["allocation", "strategy", ...known]);
  if (policy.allocation === undefined) throw new ZizqArgumentError(`${field}.allocation`, "is required");
  integerIn(`${field}.allocation`, policy.allocation, 1, MAX_TOKENS);
  return { allocation: policy.allocation, strategy: wireStrategy(policy.strategy, `${field}.strategy`) };
}

/** A cost: a whole number of tokens, at least 1. */
export function checkCost(field: string, cost: unknown): void {
  if (cost === undefined) throw new ZizqArgumentError(field, "is required");
  integerIn(field, cost, 1, MAX_COST);
}

/** One binding's wire form; `cost` and `create_with` are left out when not given. */
export function wireBudgetBinding(binding: BudgetBindingInput, field: string): WireBudgetBindingRequest {
  checkObject(field, binding, true);
  checkKnownKeys(field, binding as unknown as Record<string, unknown>, ["key", "cost", "createWith"]);
  checkBudgetKey(`${field}.key`, binding.key);
  const wire: WireBudgetBindingRequest = { key: binding.key };
  if (binding.cost !== undefined) {
    checkCost(`${field}.cost`, binding.cost);
    wire.cost = binding.cost;
  }
  if (binding.createWith !== undefined) wire.create_with = wireBudgetPolicy(binding.createWith, `${field}.createWith`);
  return wire;
}

/** A list of bindings, each key at most once; an empty list is `[]` (callers leave it out of enqueue bodies). */
export function wireBudgetBindings(bindings: readonly BudgetBindingInput[], field: string): WireBudgetBindingRequest[] {
  if (!Array.isArray(bindings)) throw new ZizqArgumentError(field, `expected an array of { key, cost?, createWith? }, got ${shown(bindings)}`);
  const keys = new Set<string>();
  return bindings.map((binding, i) => {
    const wire = wireBudgetBinding(binding, `${field}[${i}]`);
    if (keys.has(wire.key)) throw new ZizqArgumentError(`${field}[${i}].key`, `budget ${JSON.stringify(wire.key)} is named more than once`);
    keys.add(wire.key);
    return wire;
  });
}

/** The merge patch's wire form: keys left out stay out; only `burst` may be null. */
export function wireBudgetPatch(patch: BudgetPatch): WireBudgetPatch {
  checkObject("patch", patch, true);
  checkKnownKeys("patch", patch as Record<string, unknown>, ["allocation", "strategy"]);
  const wire: WireBudgetPatch = {};
  if (patch.allocation !== undefined) {
    integerIn("patch.allocation", patch.allocation, 1, MAX_TOKENS);
    wire.allocation = patch.allocation;
  }
  if (patch.strategy === undefined) return wire;
  checkObject("patch.strategy", patch.strategy, true);
  const strategy = patch.strategy as { type?: unknown; durationMs?: unknown; burst?: unknown };
  const out: NonNullable<WireBudgetPatch["strategy"]> = {};
  if (strategy.type === "while_in_flight") {
    checkKnownKeys("patch.strategy", strategy, ["type"]);
  } else {
    checkKnownKeys("patch.strategy", strategy, ["type", "durationMs", "burst"]);
    if (strategy.type !== undefined && strategy.type !== "time_based") {
      throw new ZizqArgumentError("patch.strategy.type", `expected "time_based" or "while_in_flight", got ${shown(strategy.type)}`);
    }
  }
  if (strategy.type !== undefined) out.type = strategy.type;
  if (strategy.durationMs !== undefined) out.duration_ms = durationMs("patch.strategy.durationMs", strategy.durationMs);
  if (strategy.burst === null) out.burst = null;
  else if (strategy.burst !== undefined) {
    integerIn("patch.strategy.burst", strategy.burst, 1, MAX_TOKENS);
    out.burst = strategy.burst as number;
  }
  wire.strategy = out;
  return wire;
}

function strategy(wire: WireBudgetStrategy): BudgetStrategy {
  if (wire.type === "while_in_flight") return { type: "while_in_flight" };
  if (wire.type !== "time_based") return { type: "unknown", kind: wire.type };
  // The reply check has made sure a time_based strategy carries its duration.
  const out: BudgetStrategy = { type: "time_based", durationMs: wire.duration_ms as number };
  if (wire.burst != null) out.burst = wire.burst;
  return out;
}

export function budget(wire: WireBudget): Budget {
  return {
    key: wire.key,
    allocation: wire.allocation,
    strategy: strategy(wire.strategy),
    createdAt: wire.created_at,
    updatedAt: wire.updated_at,
  };
}

export function budgetChange(wire: WireBudgetChange): BudgetChange {
  return { changed: wire.changed, blocked: wire.blocked ?? [] };
}
