// zizq-protocol-0.7.md §13 facts 158, 253 and 255: the version, reset, and a 0.6.1 server's
// answer to budgets (§10).
import { describe, expect, it } from "vitest";
import { createBudget, on, pro, whileInFlight } from "./budget-helpers.ts";
import { job, target } from "./harness.ts";

describe("0.7 version and reset", () => {
  it("fact 158: GET /version reports 0.7.x", async (ctx) => {
    const t = await target(ctx);
    const r = await t.get("/version");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ version: expect.stringMatching(/^0\.7\./) });
  });

  it("fact 253: POST /reset also deletes every budget", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "a", whileInFlight(1));
    await createBudget(t, "b", whileInFlight(1));
    await t.enqueue(on("a"));
    const r = await t.post("/reset");
    expect(r.status).toBe(204);
    expect(r.bytes.length).toBe(0);
    expect((await t.get("/budgets")).body).toEqual({ budgets: [] });
    expect((await t.get("/jobs/count")).body).toEqual({ count: 0 });
    // A reset budget is gone for good: a new one of the same name is created afresh.
    expect((await t.post("/budgets/a", whileInFlight(2))).status).toBe(201);
  });

  it("fact 255: a 0.6.1 server takes budgets on enqueue, leaves them out, and runs the job unthrottled", async (ctx) => {
    const t = await pro(ctx, { version: "0.6.1" });
    expect((await t.get("/version")).body).toEqual({ version: "0.6.1" });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await t.post("/jobs", job(on({ key: "mutex", create_with: whileInFlight(1) })));
      expect(r.status).toBe(201);
      expect(r.body).not.toHaveProperty("budgets");
      ids.push(r.body.id);
    }
    const s = await t.stream("?prefetch=0");
    const taken = await s.jobs(3);
    expect(taken.map((j) => j.id)).toEqual(ids);
    for (const j of taken) expect(j).not.toHaveProperty("budgets");
  });
});
