// zizq-protocol-0.7.md §13 facts 222–229: the bulk budget routes /jobs/budgets[/{key}] (§6) and
// the budgets.key filter (§7).
import { describe, expect, it } from "vitest";
import { createBudget, on, pro, whileInFlight } from "./budget-helpers.ts";
import { target, type Target } from "./harness.ts";

const ids = (r: { body: any }) => r.body.jobs.map((j: any) => j.id);
const bindingsOf = async (t: Target, id: string) => (await t.get(`/jobs/${id}`)).body.budgets;

describe("bulk budget routes", () => {
  it("fact 222: POST /jobs/budgets/k binds matching jobs and skips those already bound", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", whileInFlight(5));
    const unbound = await t.enqueue();
    const already = await t.enqueue(on("k"));
    const elsewhere = await t.enqueue({ queue: "other" });
    const r = await t.post("/jobs/budgets/k?queue=q", { cost: 2 });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ changed: 1, blocked: [] });
    expect(await bindingsOf(t, unbound.id)).toEqual([{ key: "k", cost: 2 }]);
    expect(await bindingsOf(t, already.id)).toEqual([{ key: "k", cost: 1 }]);
    expect(await bindingsOf(t, elsewhere.id)).toBeUndefined();
  });

  it("fact 223: an in-flight match is blocked and unchanged; a terminal match is in neither field", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", whileInFlight(5));
    // prefetch 1: the stream takes `done`, then `running`, and is full when `ready` arrives.
    const s = await t.stream("?prefetch=1");
    const done = await t.enqueue({ retention: { completed_ms: 3_600_000 } });
    expect((await s.nextJob()).id).toBe(done.id);
    expect((await t.post(`/jobs/${done.id}/success`)).status).toBe(204);
    const running = await t.enqueue();
    expect((await s.nextJob()).id).toBe(running.id);
    const ready = await t.enqueue();
    const r = await t.post("/jobs/budgets/k?queue=q", {});
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ changed: 1, blocked: [running.id] });
    expect(await bindingsOf(t, ready.id)).toEqual([{ key: "k", cost: 1 }]);
    expect(await bindingsOf(t, running.id)).toBeUndefined();
    expect(await bindingsOf(t, done.id)).toBeUndefined();
  });

  it("fact 224: PATCH sets the cost where bound, PUT binds or replaces, DELETE k unbinds k, DELETE unbinds all", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "a", whileInFlight(10));
    await createBudget(t, "k", whileInFlight(10));
    const x = await t.enqueue(on("k", "a"));
    const y = await t.enqueue(on("a"));
    const z = await t.enqueue();
    const state = async () => [await bindingsOf(t, x.id), await bindingsOf(t, y.id), await bindingsOf(t, z.id)];

    const patched = await t.patch("/jobs/budgets/k", { cost: 3 });
    expect(patched.status).toBe(200);
    expect(patched.body).toEqual({ changed: 1, blocked: [] });
    expect(await state()).toEqual([[{ key: "k", cost: 3 }, { key: "a", cost: 1 }], [{ key: "a", cost: 1 }], undefined]);

    const put = await t.put("/jobs/budgets/k", { cost: 2 });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ changed: 3, blocked: [] });
    expect(await state()).toEqual([
      [{ key: "k", cost: 2 }, { key: "a", cost: 1 }],
      [{ key: "a", cost: 1 }, { key: "k", cost: 2 }],
      [{ key: "k", cost: 2 }],
    ]);

    const unbound = await t.del("/jobs/budgets/k");
    expect(unbound.status).toBe(200);
    expect(unbound.body).toEqual({ changed: 3, blocked: [] });
    expect(await state()).toEqual([[{ key: "a", cost: 1 }], [{ key: "a", cost: 1 }], undefined]);

    const cleared = await t.del("/jobs/budgets");
    expect(cleared.status).toBe(200);
    expect(cleared.body).toEqual({ changed: 2, blocked: [] });
    expect(await state()).toEqual([undefined, undefined, undefined]);
  });

  it("fact 225: binding a missing budget without create_with is 422 even when nothing matches", async (ctx) => {
    const t = await pro(ctx);
    const r = await t.post("/jobs/budgets/ghost?queue=none", { cost: 1 });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ error: "budget 'ghost' does not exist and no create_with policy was supplied to create it with" });
    expect((await t.get("/budgets/ghost")).status).toBe(404);
  });

  it("fact 226: POST, PUT and PATCH with a cost above capacity are 422 and change nothing", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", whileInFlight(5));
    const bound = await t.enqueue(on("k"));
    const free = await t.enqueue();
    for (const method of ["POST", "PUT", "PATCH"]) {
      const r = await t.req(method, "/jobs/budgets/k", { json: { cost: 6 } });
      expect(r.status, method).toBe(422);
      expect(r.body, method).toEqual({ error: "cost 6 exceeds budget 'k', which holds at most 5" });
    }
    expect(await bindingsOf(t, bound.id)).toEqual([{ key: "k", cost: 1 }]);
    expect(await bindingsOf(t, free.id)).toBeUndefined();
  });
});

describe("the budgets.key filter", () => {
  it("fact 227: budgets.key filters list, count, bulk PATCH and bulk DELETE; a,b matches either", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "a", whileInFlight(10));
    await createBudget(t, "b", whileInFlight(10));
    const onA = await t.enqueue(on("a"));
    const onB = await t.enqueue(on("b"));
    const onBoth = await t.enqueue(on("b", "a"));
    const none = await t.enqueue();

    const listA = await t.get("/jobs?budgets.key=a");
    expect(listA.status).toBe(200);
    expect(ids(listA)).toEqual([onA.id, onBoth.id]);
    expect(ids(await t.get("/jobs?budgets.key=a,b"))).toEqual([onA.id, onB.id, onBoth.id]);
    expect(ids(await t.get("/jobs?budgets.key=a%2Cb"))).toEqual([onA.id, onB.id, onBoth.id]);
    const count = await t.get("/jobs/count?budgets.key=b");
    expect(count.status).toBe(200);
    expect(count.body).toEqual({ count: 2 });

    const patched = await t.patch("/jobs?budgets.key=a", { priority: 7 });
    expect(patched.status).toBe(200);
    expect(patched.body).toEqual({ patched: 2 });
    expect((await t.get(`/jobs/${onBoth.id}`)).body.priority).toBe(7);
    expect((await t.get(`/jobs/${onB.id}`)).body.priority).toBe(32768);

    const deleted = await t.del("/jobs?budgets.key=b");
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ deleted: 2 });
    expect(ids(await t.get("/jobs"))).toEqual([onA.id, none.id]);
  });

  it("fact 228 (unknown; we choose: page links keep budgets.key)", async (ctx) => {
    const t = await pro(ctx);
    if (t.remote) ctx.skip("the 0.7 development server drops budgets.key from page links; skipped until a release confirms");
    await createBudget(t, "k", whileInFlight(10));
    const first = await t.enqueue(on("k"));
    await t.enqueue();
    const second = await t.enqueue(on("k"));
    const page1 = await t.get("/jobs?budgets.key=k&limit=1");
    expect(ids(page1)).toEqual([first.id]);
    expect(page1.body.pages.self).toContain("budgets.key=k");
    expect(page1.body.pages.next).toContain("budgets.key=k");
    const page2 = await t.get(page1.body.pages.next);
    expect(ids(page2)).toEqual([second.id]);
    expect(page2.body.pages.prev).toContain("budgets.key=k");
  });

  it("fact 229: budgets.key is not a take parameter: 400 text/plain", async (ctx) => {
    const t = await target(ctx);
    const s = await t.stream("?budgets.key=k");
    expect(s.response.status).toBe(400);
    expect(s.response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await s.response.text()).toMatch(/^Failed to deserialize query string: /);
  });
});
