/**
 * Budget arguments are checked on the client, before any request (not even `GET /version`): a
 * bad cost, allocation, duration, key or filter value is a `ZizqArgumentError` naming the field.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BudgetInput, defineJob, ZizqArgumentError } from "../../../src/index.ts";
import { rejection, type Setup, setup } from "./harness.ts";

const Call = defineJob<{ n: number }>({ type: "call_api", queue: "api" });
const rate = { type: "time_based", durationMs: 1000 } as const;
const JOB_ID = "0000000000000000000000000";

describe("budget argument checks (nothing is sent)", () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup({ server: { license: "pro", version: "0.7.0" } });
  });
  afterEach(async () => {
    expect(s.calls).toEqual([]);
    await s.close();
  });

  async function refused(call: Promise<unknown>, field: string, message?: RegExp): Promise<void> {
    const error = await rejection(call);
    expect(error).toBeInstanceOf(ZizqArgumentError);
    expect((error as ZizqArgumentError).field).toBe(field);
    if (message) expect((error as Error).message).toMatch(message);
  }

  it("define and ensure: allocation >= 1 and <= 1 000 000, durationMs >= 1, burst >= 1, key rules", async () => {
    const cases: [unknown, string, RegExp?][] = [
      [{ key: "k", allocation: 0, strategy: rate }, "budget.allocation", /from 1 to 1000000/],
      [{ key: "k", allocation: 1_000_001, strategy: rate }, "budget.allocation"],
      [{ key: "k", allocation: 1.5, strategy: rate }, "budget.allocation"],
      [{ key: "k", strategy: rate }, "budget.allocation", /required/],
      [{ key: "k", allocation: 5, strategy: { type: "time_based", durationMs: 0 } }, "budget.strategy.durationMs", /an integer ≥ 1, got 0/],
      [{ key: "k", allocation: 5, strategy: { type: "time_based" } }, "budget.strategy.durationMs"],
      [{ key: "k", allocation: 5, strategy: { type: "time_based", durationMs: "1m" } }, "budget.strategy.durationMs"],
      [{ key: "k", allocation: 5, strategy: { type: "time_based", durationMs: 1000, burst: 0 } }, "budget.strategy.burst"],
      [{ key: "k", allocation: 5, strategy: { type: "while_in_flight", durationMs: 1000 } }, "budget.strategy.durationMs", /unknown/],
      [{ key: "k", allocation: 5, strategy: { type: "while_in_flight", burst: 2 } }, "budget.strategy.burst"],
      [{ key: "k", allocation: 5, strategy: { type: "sliding_window" } }, "budget.strategy.type"],
      [{ key: "k", allocation: 5 }, "budget.strategy"],
      [{ key: "a,b", allocation: 5, strategy: rate }, "budget.key", /must not contain ','/],
      [{ key: "", allocation: 5, strategy: rate }, "budget.key", /must not be empty/],
      [{ key: "a*", allocation: 5, strategy: rate }, "budget.key", /reserved/],
      [{ key: 7, allocation: 5, strategy: rate }, "budget.key"],
      [{ key: "k", allocation: 5, strategy: rate, bucket: "x" }, "budget.bucket", /unknown/],
    ];
    for (const [input, field, message] of cases) {
      await refused(s.client.budgets.define(input as BudgetInput), field, message);
      await refused(s.client.budgets.ensure(input as BudgetInput), field, message);
    }
    await refused(s.client.budgets.define({ key: "k", allocation: 5, strategy: rate, replace: "yes" as never }), "budget.replace");
  });

  it("get, update and delete check the key; update checks the patch and never sends an absent field as null", async () => {
    await refused(s.client.budgets.get("a,b"), "key");
    await refused(s.client.budgets.delete(""), "key");
    await refused(s.client.budgets.update("a{b}", { allocation: 2 }), "key");
    await refused(s.client.budgets.update("k", { allocation: 0 }), "patch.allocation");
    await refused(s.client.budgets.update("k", { allocation: null as never }), "patch.allocation");
    await refused(s.client.budgets.update("k", { strategy: { durationMs: 0 } }), "patch.strategy.durationMs");
    await refused(s.client.budgets.update("k", { strategy: { burst: 0 } }), "patch.strategy.burst");
    await refused(s.client.budgets.update("k", { strategy: { type: "bogus" as never } }), "patch.strategy.type");
    await refused(s.client.budgets.update("k", { strategy: { type: "while_in_flight", burst: 1 } as never }), "patch.strategy.burst");
    await refused(s.client.budgets.update("k", { cost: 1 } as never), "patch.cost");
  });

  it("bindings on enqueue, in defineJob defaults and in enqueueBulk: cost >= 1, key rules, createWith policy, each key once", async () => {
    await refused(s.client.enqueue(Call, { n: 1 }, { budgets: [{ key: "api", cost: 0 }] }), "options.budgets[0].cost", /from 1/);
    await refused(s.client.enqueue(Call, { n: 1 }, { budgets: [{ key: "api", cost: 1.5 }] }), "options.budgets[0].cost");
    await refused(s.client.enqueue(Call, { n: 1 }, { budgets: [{ key: "a,b" }] }), "options.budgets[0].key");
    await refused(s.client.enqueue(Call, { n: 1 }, { budgets: [{ key: "api" }, { key: "api", cost: 2 }] }), "options.budgets[1].key", /more than once/);
    await refused(
      s.client.enqueue(Call, { n: 1 }, { budgets: [{ key: "api", createWith: { allocation: 0, strategy: { type: "while_in_flight" } } }] }),
      "options.budgets[0].createWith.allocation",
    );
    await refused(s.client.enqueue(Call, { n: 1 }, { budgets: [{ key: "api", bucket: "x" } as never] }), "options.budgets[0].bucket");
    const Defaulted = defineJob<{ n: number }>({ type: "call_api", queue: "api", budgets: [{ key: "api", cost: -1 }] });
    await refused(s.client.enqueue(Defaulted, { n: 1 }), "budgets[0].cost");
    await refused(s.client.enqueueBulk([Call.with({ n: 1 }), Call.with({ n: 2 }, { budgets: [{ key: "" }] })]), "options.budgets[0].key");
    expect(() => defineJob({ type: "t", queue: "q", budgets: "api" as never })).toThrow(ZizqArgumentError);
    expect(() => Call.with({ n: 1 }, { budgets: { key: "api" } as never })).toThrow(/options\.budgets/);
  });

  it("per-job rebinding checks the id, key, cost and bindings", async () => {
    await refused(s.client.budgets.bindJob("", { key: "api" }), "id");
    await refused(s.client.budgets.bindJob(JOB_ID, { key: "a,b" }), "binding.key");
    await refused(s.client.budgets.rebindJob(JOB_ID, { key: "api", cost: 0 }), "binding.cost");
    await refused(s.client.budgets.setJobCost(JOB_ID, "api", 0), "cost");
    await refused(s.client.budgets.setJobCost(JOB_ID, "api", undefined as never), "cost", /required/);
    await refused(s.client.budgets.unbindJob(JOB_ID, undefined as never), "key");
    await refused(s.client.budgets.replaceJobBudgets(JOB_ID, [{ key: "a" }, { key: "a" }]), "bindings[1].key");
    await refused(s.client.budgets.replaceJobBudgets(JOB_ID, "a" as never), "bindings");
  });

  it("bulk rebinding: unbindBudget without a key never falls through to clearing every budget", async () => {
    const query = s.client.jobs({ queue: "api" });
    await refused(query.unbindBudget(undefined as never), "key");
    await refused(query.unbindBudget(""), "key");
    await refused(query.bindBudget({ key: "api", cost: 0 }), "binding.cost");
    await refused(query.setBudgetCost("api", 0), "cost");
    await refused(query.rebindBudget({ key: "x,y" }), "binding.key");
  });

  it("budgetsKey filter values may not contain commas (the wire joins them with commas)", async () => {
    await refused(s.client.jobs({ budgetsKey: "a,b" }).count(), "filter.budgetsKey[0]", /','/);
    await refused(s.client.jobs({ budgetsKey: ["ok", "x,y"] }).toArray(), "filter.budgetsKey[1]");
    await refused(s.client.jobs({ budgetsKey: ["ok", ""] }).clearAllBudgets(), "filter.budgetsKey[1]");
  });

  it("an explicitly empty filter sends nothing: the bulk verbs answer no change", async () => {
    for (const filter of [{ budgetsKey: [] }, { queue: [] }, { id: [] }]) {
      const query = s.client.jobs(filter);
      expect(await query.clearAllBudgets()).toEqual({ changed: 0, blocked: [] });
      expect(await query.unbindBudget("api")).toEqual({ changed: 0, blocked: [] });
      expect(await query.bindBudget({ key: "api" })).toEqual({ changed: 0, blocked: [] });
      expect(await query.rebindBudget({ key: "api", cost: 2 })).toEqual({ changed: 0, blocked: [] });
      expect(await query.setBudgetCost("api", 3)).toEqual({ changed: 0, blocked: [] });
      expect(await query.count()).toBe(0);
      expect(await query.deleteAll()).toBe(0);
    }
  });

  it("cron: a group timezone and template budgets are checked too", async () => {
    await refused(s.client.crons.put("g", { timezone: "", entries: [] }), "spec.timezone");
    await refused(s.client.crons.put("g", { timezone: 5 as never, entries: [] }), "spec.timezone");
    await refused(s.client.crons.setTimezone("g", "  "), "timezone");
    await refused(s.client.crons.setTimezone("g", undefined as never), "timezone");
    await refused(
      s.client.crons.put("g", { entries: [{ name: "e", expression: "* * * * *", job: Call.with({ n: 1 }, { budgets: [{ key: "api", cost: 0 }] }) }] }),
      "options.budgets[0].cost",
    );
  });
});
