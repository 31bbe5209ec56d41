/** Shared set-up of the 0.7 budget facts (zizq-protocol-0.7.md §13, facts 158–255). */
import type { TestContext } from "vitest";
import type { TestServerOptions } from "../../src/testing/types.ts";
import { target, type Target } from "./harness.ts";

/** A `time_based` budget request body (§2.2). */
export function timeBased(allocation: number, durationMs: number, burst?: number): Record<string, unknown> {
  const strategy = { type: "time_based", duration_ms: durationMs, ...(burst === undefined ? {} : { burst }) };
  return { allocation, strategy };
}

/** A `while_in_flight` budget request body (§2.2). */
export function whileInFlight(allocation: number): Record<string, unknown> {
  return { allocation, strategy: { type: "while_in_flight" } };
}

/** One token an hour: spent by one dispatch, and no drip refills it while a test runs. */
export const HOURLY = timeBased(1, 3_600_000);

/** A fresh Pro target: budgets are a Pro feature (§1). */
export function pro(ctx: TestContext, options: TestServerOptions = {}): Promise<Target> {
  return target(ctx, { ...options, license: "pro" });
}

/** `POST /budgets/{key}`; fails the test unless it is created. */
export async function createBudget(t: Target, key: string, policy: Record<string, unknown>): Promise<any> {
  const r = await t.post(`/budgets/${encodeURIComponent(key)}`, policy);
  if (r.status !== 201) throw new Error(`POST /budgets/${key} answered ${r.status}: ${r.text}`);
  return r.body;
}

/** Enqueue fields binding a job to budgets, each a key (cost 1) or a full binding. */
export function on(...budgets: (string | Record<string, unknown>)[]): { budgets: Record<string, unknown>[] } {
  return { budgets: budgets.map((b) => (typeof b === "string" ? { key: b } : b)) };
}

/** A test server on a clock the test moves: `advance(ms)` moves it and runs the timers (`tick`). */
export async function onClock(ctx: TestContext, options: TestServerOptions = {}) {
  let clock = Date.UTC(2026, 0, 5, 12);
  const t = await pro(ctx, { ...options, now: () => clock });
  const advance = (ms: number) => {
    clock += ms;
    t.server!.tick();
  };
  return { t, advance, now: () => clock };
}
