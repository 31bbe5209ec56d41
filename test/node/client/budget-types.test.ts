/**
 * Type-level tests of budgets (checked by `tsc --noEmit -p .`): the strategy is a discriminated
 * union, so a shape the server would refuse does not compile; reads narrow by `type`. Each
 * refused shape is also refused at run time, for callers without types.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type Budget,
  type BudgetBinding,
  type BudgetChange,
  type BudgetPatch,
  type BudgetStrategy,
  type BudgetStrategyInput,
  budgetCapacity,
  type Client,
  type CronJobTemplate,
  defineJob,
  type Job,
  type JobInfo,
  ZizqArgumentError,
} from "../../../src/index.ts";
import { rejection, setup } from "./harness.ts";

describe("budget types", () => {
  it("a strategy is time_based with a duration, or while_in_flight with nothing else", async () => {
    const rate: BudgetStrategyInput = { type: "time_based", durationMs: 60_000, burst: 5 };
    const cap: BudgetStrategyInput = { type: "while_in_flight" };
    // @ts-expect-error while_in_flight has no duration: its tokens return on acknowledgement
    const wrongDuration: BudgetStrategyInput = { type: "while_in_flight", durationMs: 60_000 };
    // @ts-expect-error while_in_flight has no burst
    const wrongBurst: BudgetStrategyInput = { type: "while_in_flight", burst: 2 };
    // @ts-expect-error durationMs is a number of ms, not a Duration string
    const textDuration: BudgetStrategyInput = { type: "time_based", durationMs: "1m" };
    // @ts-expect-error time_based needs its duration
    const noDuration: BudgetStrategyInput = { type: "time_based" };
    // @ts-expect-error an unknown strategy type
    const unknown: BudgetStrategyInput = { type: "sliding_window" };
    expect([rate, cap].length).toBe(2);

    const s = await setup({ server: { license: "pro", version: "0.7.0" } });
    try {
      for (const strategy of [wrongDuration, wrongBurst, textDuration, noDuration, unknown]) {
        expect(await rejection(s.client.budgets.define({ key: "k", allocation: 1, strategy }))).toBeInstanceOf(ZizqArgumentError);
      }
      // @ts-expect-error the key travels in the path; define takes no cost
      expect(await rejection(s.client.budgets.define({ key: "k", allocation: 1, strategy: cap, cost: 1 }))).toBeInstanceOf(ZizqArgumentError);
      expect(s.calls).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it("budgetCapacity: the burst of a time_based budget when set, else the allocation", () => {
    const at = { key: "k", createdAt: 1, updatedAt: 1 };
    expect(budgetCapacity({ ...at, allocation: 10, strategy: { type: "time_based", durationMs: 1000, burst: 3 } })).toBe(3);
    expect(budgetCapacity({ ...at, allocation: 10, strategy: { type: "time_based", durationMs: 1000 } })).toBe(10);
    expect(budgetCapacity({ ...at, allocation: 4, strategy: { type: "while_in_flight" } })).toBe(4);
    expect(budgetCapacity({ ...at, allocation: 4, strategy: { type: "unknown", kind: "sliding_window" } })).toBeUndefined();
  });

  it("a read strategy narrows by type; a newer server's strategy is `unknown` with its name", () => {
    expectTypeOf<Budget["strategy"]>().toEqualTypeOf<BudgetStrategy>();
    const describe = (strategy: BudgetStrategy): string => {
      switch (strategy.type) {
        case "time_based":
          expectTypeOf(strategy.durationMs).toEqualTypeOf<number>();
          expectTypeOf(strategy.burst).toEqualTypeOf<number | undefined>();
          return `${strategy.durationMs}`;
        case "while_in_flight":
          // @ts-expect-error no duration on a concurrency cap
          return String(strategy.durationMs);
        case "unknown":
          expectTypeOf(strategy.kind).toEqualTypeOf<string>();
          return strategy.kind;
      }
    };
    expect(describe({ type: "unknown", kind: "sliding_window" })).toBe("sliding_window");
  });

  it("a patch merges: burst may be null, nothing else; switching to while_in_flight takes no duration", () => {
    const clear: BudgetPatch = { strategy: { burst: null } };
    const rate: BudgetPatch = { allocation: 10, strategy: { durationMs: 1_000 } };
    const switchType: BudgetPatch = { strategy: { type: "while_in_flight" } };
    // @ts-expect-error the allocation cannot be cleared
    const noAllocation: BudgetPatch = { allocation: null };
    // @ts-expect-error a duration cannot be cleared
    const noDuration: BudgetPatch = { strategy: { durationMs: null } };
    // @ts-expect-error while_in_flight takes no duration
    const mixed: BudgetPatch = { strategy: { type: "while_in_flight", durationMs: 5 } };
    expect([clear, rate, switchType, noAllocation, noDuration, mixed]).toHaveLength(6);
  });

  it("bindings: on enqueue options and defineJob defaults; reads give { key, cost } on every job", () => {
    const Call = defineJob<{ n: number }>({ type: "call", queue: "api", budgets: [{ key: "api", cost: 2 }] });
    Call.with({ n: 1 }, { budgets: [{ key: "api", createWith: { allocation: 5, strategy: { type: "while_in_flight" } } }] });
    // @ts-expect-error a binding needs its key
    Call.with({ n: 1 }, { budgets: [{ cost: 2 }] });
    // @ts-expect-error createWith is a full policy
    Call.with({ n: 1 }, { budgets: [{ key: "api", createWith: { allocation: 5 } }] });
    expectTypeOf<JobInfo["budgets"]>().toEqualTypeOf<BudgetBinding[]>();
    expectTypeOf<Job["budgets"]>().toEqualTypeOf<BudgetBinding[]>();
    expectTypeOf<CronJobTemplate["budgets"]>().toEqualTypeOf<BudgetBinding[]>();
    expectTypeOf<ReturnType<Client["budgets"]["bindJob"]>>().toEqualTypeOf<Promise<JobInfo>>();
    expectTypeOf<ReturnType<ReturnType<Client["jobs"]>["clearAllBudgets"]>>().toEqualTypeOf<Promise<BudgetChange>>();
    expectTypeOf<Parameters<Client["jobs"]>[0]>().toMatchTypeOf<{ budgetsKey?: string | readonly string[] } | undefined>();
  });
});
