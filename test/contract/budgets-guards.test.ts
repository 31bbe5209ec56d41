// zizq-protocol-0.7.md §13 facts 185–192: DELETE of a budget, the delete and shrink guards, and
// --max-budgets (§3.3, §3.6, §3.7).
import { describe, expect, it } from "vitest";
import { createBudget, HOURLY, on, pro, timeBased, whileInFlight } from "./budget-helpers.ts";
import { job } from "./harness.ts";

describe("budgets: DELETE and the guards", () => {
  it("fact 185: DELETE an unused budget is 204 empty; then it is gone", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", whileInFlight(1));
    const r = await t.del("/budgets/k");
    expect(r.status).toBe(204);
    expect(r.bytes.length).toBe(0);
    const gone = await t.get("/budgets/k");
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ error: "budget 'k' not found" });
  });

  it("fact 186: DELETE a budget a ready job draws on is 409, with the job count", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", HOURLY);
    expect((await t.enqueue(on("k"))).status).toBe("ready");
    const one = await t.del("/budgets/k");
    expect(one.status).toBe(409);
    expect(one.body).toEqual({
      error: "budget 'k' is referenced by 1 unfinished job. Delete them or wait for them to finish before deleting it.",
    });
    await t.enqueue(on("k"));
    const two = await t.del("/budgets/k");
    expect(two.status).toBe(409);
    expect(two.body).toEqual({
      error: "budget 'k' is referenced by 2 unfinished jobs. Delete them or wait for them to finish before deleting it.",
    });
    expect((await t.get("/budgets/k")).status).toBe(200);
  });

  it("fact 187: the 409 holds while the job is scheduled or in flight; after ack or delete it is 204", async (ctx) => {
    const t = await pro(ctx);
    const refused = "budget 'k' is referenced by 1 unfinished job. Delete them or wait for them to finish before deleting it.";
    await createBudget(t, "k", whileInFlight(5));
    const scheduled = await t.enqueue({ ...on("k"), ready_at: Date.now() + 3_600_000 });
    expect(scheduled.status).toBe("scheduled");
    expect((await t.del("/budgets/k")).body).toEqual({ error: refused });
    expect((await t.del(`/jobs/${scheduled.id}`)).status).toBe(204);
    expect((await t.del("/budgets/k")).status).toBe(204);

    await createBudget(t, "k", whileInFlight(5));
    const running = await t.enqueue({ ...on("k"), retention: { completed_ms: 0 } });
    const [taken] = await t.claim();
    expect(taken.id).toBe(running.id);
    const inFlight = await t.del("/budgets/k");
    expect(inFlight.status).toBe(409);
    expect(inFlight.body).toEqual({ error: refused });
    expect((await t.post(`/jobs/${running.id}/success`)).status).toBe(204);
    expect((await t.del("/budgets/k")).status).toBe(204);
  });

  it("fact 188: a budget drawn on only by a retained completed job deletes; the job keeps the binding", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", whileInFlight(5));
    const done = await t.enqueue({ ...on({ key: "k", cost: 2 }), retention: { completed_ms: 3_600_000 } });
    await t.claim();
    expect((await t.post(`/jobs/${done.id}/success`)).status).toBe(204);
    const r = await t.del("/budgets/k");
    expect(r.status).toBe(204);
    const read = await t.get(`/jobs/${done.id}`);
    expect(read.body.status).toBe("completed");
    expect(read.body.budgets).toEqual([{ key: "k", cost: 2 }]);
  });

  it("fact 189: DELETE a budget a cron template binds is 409 naming the entry", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", whileInFlight(5));
    const put = await t.put("/crons/g", { entries: [{ name: "nightly", expression: "0 0 1 1 *", job: job(on("k")) }] });
    expect(put.status).toBe(200);
    const r = await t.del("/budgets/k");
    expect(r.status).toBe(409);
    expect(r.body).toEqual({
      error: "budget 'k' is referenced by 1 cron entry, including 'g/nightly'. Remove them before deleting it.",
    });
    expect((await t.get("/budgets/k")).status).toBe(200);
  });

  it("fact 190: shrinking a while_in_flight allocation below a bound cost is 422", async (ctx) => {
    const t = await pro(ctx);
    const first = await createBudget(t, "schema-bot", whileInFlight(3));
    await t.enqueue(on({ key: "schema-bot", cost: 2 }));
    const r = await t.patch("/budgets/schema-bot", { allocation: 1 });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({
      error:
        "budget 'schema-bot' cannot allocate 1: 1 unfinished job draw up to 2 from it. Raise the allocation, delete them, or wait for them to drain.",
    });
    const put = await t.put("/budgets/schema-bot", whileInFlight(1));
    expect(put.status).toBe(422);
    expect((await t.get("/budgets/schema-bot")).body).toEqual(first);
    expect((await t.patch("/budgets/schema-bot", { allocation: 2 })).status).toBe(200);
  });

  it("fact 191: the shrink guard uses capacity: a burst below a bound cost is 422", async (ctx) => {
    const t = await pro(ctx);
    const first = await createBudget(t, "k", timeBased(1000, 3_600_000));
    await t.enqueue({ ...on({ key: "k", cost: 5 }), ready_at: Date.now() + 3_600_000 });
    const r = await t.patch("/budgets/k", { strategy: { burst: 4 } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({
      error:
        "budget 'k' cannot allocate 4: 1 unfinished job draw up to 5 from it. Raise the allocation, delete them, or wait for them to drain.",
    });
    expect((await t.get("/budgets/k")).body).toEqual(first);
    expect((await t.patch("/budgets/k", { strategy: { burst: 5 } })).status).toBe(200);
  });

  it("fact 192: with --max-budgets 2, creating a third budget is 422; replacing one is fine", async (ctx) => {
    const t = await pro(ctx, { maxBudgets: 2 });
    const full =
      "the server already holds its maximum of 2 budgets (--max-budgets / ZIZQ_MAX_BUDGETS). Raise the limit, or express the throttle as one shared budget rather than one per caller.";
    await createBudget(t, "a", whileInFlight(1));
    await createBudget(t, "b", whileInFlight(1));
    const post = await t.post("/budgets/c", whileInFlight(1));
    expect(post.status).toBe(422);
    expect(post.body).toEqual({ error: `cannot create budget 'c': ${full}` });
    const putNew = await t.put("/budgets/c", whileInFlight(1));
    expect(putNew.status).toBe(422);
    expect(putNew.body).toEqual({ error: `cannot create budget 'c': ${full}` });
    expect((await t.put("/budgets/a", whileInFlight(9))).status).toBe(200);
    const enqueue = await t.post("/jobs", job(on({ key: "c", create_with: whileInFlight(1) })));
    expect(enqueue.status).toBe(422);
    expect(enqueue.body).toEqual({ error: `cannot create budget 'c': ${full}` });
    expect((await t.get("/jobs/count")).body).toEqual({ count: 0 });
    expect((await t.get("/budgets")).body.budgets.map((b: any) => b.key)).toEqual(["a", "b"]);
  });
});
