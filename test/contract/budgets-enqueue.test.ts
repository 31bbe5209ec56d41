// zizq-protocol-0.7.md §13 facts 193–207 and 254: budgets on enqueue (§4), on job reads (§2.5),
// and on PATCH /jobs/{id}.
import { describe, expect, it } from "vitest";
import { createBudget, HOURLY, on, pro, timeBased, whileInFlight } from "./budget-helpers.ts";
import { job, target } from "./harness.ts";

describe("enqueue with budgets", () => {
  it("fact 193: a job bound to an existing budget is 201 with budgets last, cost resolved to 1", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", whileInFlight(5));
    const r = await t.post("/jobs", job(on("k")));
    expect(r.status).toBe(201);
    expect(r.body.budgets).toEqual([{ key: "k", cost: 1 }]);
    expect(Object.keys(r.body).at(-1)).toBe("budgets");
    expect(Object.keys(r.body.budgets[0])).toEqual(["key", "cost"]);
    const read = await t.get(`/jobs/${r.body.id}`);
    expect(read.body.budgets).toEqual([{ key: "k", cost: 1 }]);
    expect(Object.keys(read.body).at(-1)).toBe("budgets");
  });

  it("fact 194: a job without budgets has no budgets key on any read", async (ctx) => {
    const t = await pro(ctx);
    const created = await t.enqueue();
    const reads = [
      created,
      (await t.get(`/jobs/${created.id}`)).body,
      (await t.get("/jobs")).body.jobs[0],
      (await t.patch(`/jobs/${created.id}`, { priority: 3 })).body,
    ];
    const [taken] = await t.claim();
    reads.push(taken);
    const failed = await t.post(`/jobs/${created.id}/failure`, { message: "x", retry_at: Date.now() + 3_600_000 });
    expect(failed.status).toBe(200);
    reads.push(failed.body);
    for (const read of reads) {
      expect(read.id).toBe(created.id);
      expect(read).not.toHaveProperty("budgets");
    }
  });

  it("fact 195: a budget that does not exist, without create_with, is 422 and nothing is written", async (ctx) => {
    const t = await pro(ctx);
    const r = await t.post("/jobs", job(on("ghost")));
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ error: "budget 'ghost' does not exist and no create_with policy was supplied to create it with" });
    expect((await t.get("/jobs/count")).body).toEqual({ count: 0 });
    expect((await t.get("/budgets/ghost")).status).toBe(404);
  });

  it("fact 196: create_with creates a missing budget with that policy", async (ctx) => {
    const t = await pro(ctx);
    const r = await t.post("/jobs", job(on({ key: "fresh", create_with: whileInFlight(100) })));
    expect(r.status).toBe(201);
    expect(r.body.budgets).toEqual([{ key: "fresh", cost: 1 }]);
    const budget = await t.get("/budgets/fresh");
    expect(budget.status).toBe(200);
    expect(budget.body).toMatchObject({ key: "fresh", allocation: 100, strategy: { type: "while_in_flight" } });
  });

  it("fact 197: create_with is ignored when the budget exists", async (ctx) => {
    const t = await pro(ctx);
    const first = await createBudget(t, "k", whileInFlight(5));
    const r = await t.post("/jobs", job(on({ key: "k", create_with: whileInFlight(100) })));
    expect(r.status).toBe(201);
    expect((await t.get("/budgets/k")).body).toEqual(first);
  });

  it("fact 198: a cost above the budget's capacity (burst, else allocation) is 422", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", whileInFlight(5));
    await createBudget(t, "bursty", timeBased(1000, 60_000, 5));
    const r = await t.post("/jobs", job(on({ key: "k", cost: 6 })));
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ error: "cost 6 exceeds budget 'k', which holds at most 5" });
    const burst = await t.post("/jobs", job(on({ key: "bursty", cost: 6 })));
    expect(burst.status).toBe(422);
    expect(burst.body).toEqual({ error: "cost 6 exceeds budget 'bursty', which holds at most 5" });
    expect((await t.get("/jobs/count")).body).toEqual({ count: 0 });
    expect((await t.post("/jobs", job(on({ key: "bursty", cost: 5 })))).status).toBe(201);
  });

  it("fact 199 (422 likely; text unknown, we choose: 'budget 'k' cost must be at least 1'): cost 0 is 422", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", whileInFlight(5));
    const r = await t.post("/jobs", job(on({ key: "k", cost: 0 })));
    expect(r.status).toBe(422);
    if (!t.remote) expect(r.body).toEqual({ error: "budget 'k' cost must be at least 1" });
    expect((await t.get("/jobs/count")).body).toEqual({ count: 0 });
  });

  it("fact 200 (422 likely; text unknown, we choose: 'budget 'k' named more than once'): a key named twice is 422", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", whileInFlight(5));
    const r = await t.post("/jobs", job(on("k", { key: "k", cost: 2 })));
    expect(r.status).toBe(422);
    if (!t.remote) expect(r.body).toEqual({ error: "budget 'k' named more than once" });
    expect((await t.get("/jobs/count")).body).toEqual({ count: 0 });
  });

  it("fact 201: a binding that sets bucket is 422", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", whileInFlight(5));
    const r = await t.post("/jobs", job(on({ key: "k", bucket: "x" })));
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ error: "budget 'k' sets bucket, which is reserved and not yet supported" });
    expect((await t.get("/jobs/count")).body).toEqual({ count: 0 });
  });

  it("fact 202: an unknown field in a binding is 400", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", whileInFlight(5));
    const r = await t.post("/jobs", job(on({ key: "k", weight: 1 })));
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^invalid JSON: unknown field `weight`/);
    expect((await t.get("/jobs/count")).body).toEqual({ count: 0 });
  });

  it("fact 203: a binding key with ',' is 422", async (ctx) => {
    const t = await pro(ctx);
    const r = await t.post("/jobs", job(on({ key: "a,b", create_with: whileInFlight(1) })));
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ error: "budget key must not contain ','" });
    expect((await t.get("/jobs/count")).body).toEqual({ count: 0 });
    expect((await t.get("/budgets")).body).toEqual({ budgets: [] });
  });

  it("fact 204: bulk enqueue with a bad binding in item 1 is 422 jobs[1]: and enqueues nothing", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", whileInFlight(5));
    const r = await t.post("/jobs/bulk", { jobs: [job(on("k")), job(on({ key: "k", bucket: "x" }))] });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ error: "jobs[1]: budget 'k' sets bucket, which is reserved and not yet supported" });
    expect((await t.get("/jobs/count")).body).toEqual({ count: 0 });
  });

  it("fact 205: bulk enqueue with two create_with for one new key makes one budget, the first policy", async (ctx) => {
    const t = await pro(ctx);
    const r = await t.post("/jobs/bulk", {
      jobs: [job(on({ key: "new", create_with: whileInFlight(3) })), job(on({ key: "new", create_with: whileInFlight(9) }))],
    });
    expect(r.status).toBe(201);
    expect(r.body.jobs.map((j: any) => j.budgets)).toEqual([[{ key: "new", cost: 1 }], [{ key: "new", cost: 1 }]]);
    const list = await t.get("/budgets");
    expect(list.body.budgets).toHaveLength(1);
    expect(list.body.budgets[0]).toMatchObject({ key: "new", allocation: 3, strategy: { type: "while_in_flight" } });
  });

  it("fact 206: free tier: an empty type with budgets is 400 (names are checked before the licence)", async (ctx) => {
    const t = await target(ctx, { license: "free" });
    const r = await t.post("/jobs", job({ type: "", ...on("k") }));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: "type must not be empty" });
  });

  it("fact 207: a job over its budget stays ready, unattempted, and counted", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", HOURLY);
    const a = await t.enqueue(on("k"));
    const b = await t.enqueue(on("k"));
    expect((await t.claim()).map((j) => j.id)).toEqual([a.id]);
    const waiting = await t.stream();
    await waiting.expectNoJob();
    const read = await t.get(`/jobs/${b.id}`);
    expect(read.body).toMatchObject({ id: b.id, status: "ready", attempts: 0 });
    expect(read.body).not.toHaveProperty("dequeued_at");
    expect((await t.get("/jobs/count?status=ready")).body).toEqual({ count: 1 });
    expect((await t.get("/jobs?status=ready")).body.jobs.map((j: any) => j.id)).toEqual([b.id]);
  });
});

describe("PATCH /jobs/{id} and budgets", () => {
  it("fact 254: PATCH /jobs/{id} ignores a budgets field: 200, bindings unchanged", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", whileInFlight(5));
    await createBudget(t, "other", whileInFlight(5));
    const a = await t.enqueue(on({ key: "k", cost: 2 }));
    const r = await t.patch(`/jobs/${a.id}`, { budgets: [{ key: "other", cost: 1 }] });
    expect(r.status).toBe(200);
    expect(r.body.budgets).toEqual([{ key: "k", cost: 2 }]);
    expect((await t.get(`/jobs/${a.id}`)).body.budgets).toEqual([{ key: "k", cost: 2 }]);
  });
});
