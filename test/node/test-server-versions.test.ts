/**
 * Version emulation: `createTestServer({ version: "0.6.1" })` answers as Zizq 0.6.1 did, so a
 * client's version gate can be tested against it; the default speaks 0.7. Facts the contract
 * suite pins for 0.7 are not repeated here.
 */
import { describe, expect, it } from "vitest";
import { job, target } from "../contract/harness.ts";

const mutex = { allocation: 1, strategy: { type: "while_in_flight" } };

describe("test server as Zizq 0.6.1", () => {
  it("has no budget routes: /budgets is 404, /jobs/budgets is a job id, /jobs/{id}/budgets is 404", async (ctx) => {
    const t = await target(ctx, { license: "pro", version: "0.6.1" });
    const made = await t.enqueue();
    expect(await t.get("/budgets")).toMatchObject({ status: 404, body: { error: "not found" } });
    expect((await t.post("/budgets/k", mutex)).status).toBe(404);
    expect(await t.get("/jobs/budgets")).toMatchObject({ status: 404, body: { error: "job not found" } });
    expect((await t.post("/jobs/budgets/k", {})).status).toBe(404);
    expect((await t.del("/jobs/budgets")).status).toBe(404);
    expect(await t.put(`/jobs/${made.id}/budgets`, { budgets: [] })).toMatchObject({ status: 404, body: { error: "not found" } });
  });

  it("ignores `budgets` on enqueue, even a malformed one, as an unknown field", async (ctx) => {
    const t = await target(ctx, { version: "0.6.1" });
    const r = await t.post("/jobs", job({ budgets: "not a list" }));
    expect(r.status).toBe(201);
    expect(r.body).not.toHaveProperty("budgets");
    expect((await t.post("/jobs/bulk", { jobs: [job({ budgets: [{ key: "a,b", weight: 1 }] })] })).status).toBe(201);
  });

  it("refuses `budgets.key` as an unknown filter parameter", async (ctx) => {
    const t = await target(ctx, { version: "0.6.1" });
    for (const path of ["/jobs?budgets.key=k", "/jobs/count?budgets.key=k"]) {
      const r = await t.get(path);
      expect(r.status).toBe(400);
      expect(r.body.error).toContain("unknown field `budgets.key`");
    }
  });

  it("ignores a cron group timezone, and PATCH of a group still needs `paused`", async (ctx) => {
    const t = await target(ctx, { license: "pro", version: "0.6.1" });
    const entry = { name: "e", expression: "0 9 * * *", job: job() };
    const put = await t.put("/crons/g", { timezone: "Australia/Melbourne", entries: [entry] });
    expect(put.status).toBe(200);
    expect(put.body).not.toHaveProperty("timezone");
    expect((await t.patch("/crons/g", { timezone: "UTC" })).status).toBe(400);
  });
});

describe("test server as Zizq 0.7 (the default)", () => {
  it("reports 0.7.0 and serves budgets", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    expect((await t.get("/version")).body).toEqual({ version: "0.7.0" });
    expect((await t.post("/budgets/k", mutex)).status).toBe(201);
  });

  it("a cron group's zone change reschedules the entries that inherit it, not those with their own", async (ctx) => {
    const t = await target(ctx, { license: "pro", now: () => Date.UTC(2026, 0, 5, 12) });
    const inherits = { name: "a", expression: "0 9 * * *", job: job() };
    const own = { ...inherits, name: "b", timezone: "UTC" };
    await t.put("/crons/g", { timezone: "UTC", entries: [inherits, own] });
    const next = async () => Object.fromEntries((await t.get("/crons/g")).body.entries.map((e: any) => [e.name, e.next_enqueue_at]));
    expect(await next()).toEqual({ a: Date.UTC(2026, 0, 6, 9), b: Date.UTC(2026, 0, 6, 9) });
    await t.patch("/crons/g", { timezone: "Asia/Tokyo" });
    // 09:00 in Tokyo is 00:00 UTC.
    expect(await next()).toEqual({ a: Date.UTC(2026, 0, 6, 0), b: Date.UTC(2026, 0, 6, 9) });
  });
});
