// zizq-protocol-0.7.md §13 facts 208–221: the single-job budget routes
// /jobs/{id}/budgets[/{key}] (§5).
import { describe, expect, it } from "vitest";
import { createBudget, on, pro, whileInFlight } from "./budget-helpers.ts";
import type { Target } from "./harness.ts";

/** Budgets a, b and k (while_in_flight 5) and a ready job with a payload bound to `bindings`. */
async function setUp(t: Target, ...bindings: (string | Record<string, unknown>)[]): Promise<any> {
  for (const key of ["a", "b", "k"]) await createBudget(t, key, whileInFlight(5));
  return t.enqueue({ payload: { n: 1 }, ...(bindings.length > 0 ? on(...bindings) : {}) });
}

describe("job budget routes", () => {
  it("fact 208: POST /jobs/{id}/budgets/k appends the binding; the job comes back without payload", async (ctx) => {
    const t = await pro(ctx);
    const a = await setUp(t, "a");
    const r = await t.post(`/jobs/${a.id}/budgets/k`, { cost: 2 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: a.id, status: "ready" });
    expect(r.body).not.toHaveProperty("payload");
    expect(r.body.budgets).toEqual([
      { key: "a", cost: 1 },
      { key: "k", cost: 2 },
    ]);
    expect((await t.get(`/jobs/${a.id}`)).body.budgets).toEqual(r.body.budgets);
  });

  it("fact 209: POST a binding the job already has is 409", async (ctx) => {
    const t = await pro(ctx);
    const a = await setUp(t);
    expect((await t.post(`/jobs/${a.id}/budgets/k`, { cost: 2 })).status).toBe(200);
    const r = await t.post(`/jobs/${a.id}/budgets/k`, { cost: 3 });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({
      error: `job '${a.id}' already draws on budget 'k'. Use PUT to replace the binding, or PATCH to change its cost.`,
    });
    expect((await t.get(`/jobs/${a.id}`)).body.budgets).toEqual([{ key: "k", cost: 2 }]);
  });

  it("fact 210: PUT /jobs/{id}/budgets/k replaces the binding whole, in place; a missing one is appended", async (ctx) => {
    const t = await pro(ctx);
    const a = await setUp(t, { key: "k", cost: 2 }, "a");
    const r = await t.put(`/jobs/${a.id}/budgets/k`, {});
    expect(r.status).toBe(200);
    expect(r.body.budgets).toEqual([
      { key: "k", cost: 1 },
      { key: "a", cost: 1 },
    ]);
    const appended = await t.put(`/jobs/${a.id}/budgets/b`, { cost: 4 });
    expect(appended.status).toBe(200);
    expect(appended.body.budgets).toEqual([
      { key: "k", cost: 1 },
      { key: "a", cost: 1 },
      { key: "b", cost: 4 },
    ]);
  });

  it("fact 211: PATCH /jobs/{id}/budgets/k sets the cost; on an unbound key it is 404", async (ctx) => {
    const t = await pro(ctx);
    const a = await setUp(t, "k");
    const r = await t.patch(`/jobs/${a.id}/budgets/k`, { cost: 5 });
    expect(r.status).toBe(200);
    expect(r.body.budgets).toEqual([{ key: "k", cost: 5 }]);
    const unbound = await t.patch(`/jobs/${a.id}/budgets/b`, { cost: 2 });
    expect(unbound.status).toBe(404);
    expect(unbound.body).toEqual({ error: `job '${a.id}' does not draw on budget 'b'` });
    expect((await t.get(`/jobs/${a.id}`)).body.budgets).toEqual([{ key: "k", cost: 5 }]);
  });

  it("fact 212: PATCH /jobs/{id}/budgets/k without cost is 400", async (ctx) => {
    const t = await pro(ctx);
    const a = await setUp(t, "k");
    const r = await t.patch(`/jobs/${a.id}/budgets/k`, {});
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^invalid JSON: missing field `cost`/);
  });

  it("fact 213: DELETE /jobs/{id}/budgets/k unbinds it; a key the job lacks is 200 unchanged", async (ctx) => {
    const t = await pro(ctx);
    const a = await setUp(t, "k", "a");
    const r = await t.del(`/jobs/${a.id}/budgets/k`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: a.id });
    expect(r.body.budgets).toEqual([{ key: "a", cost: 1 }]);
    const unbound = await t.del(`/jobs/${a.id}/budgets/b`);
    expect(unbound.status).toBe(200);
    expect(unbound.body.budgets).toEqual([{ key: "a", cost: 1 }]);
  });

  it("fact 214: DELETE /jobs/{id}/budgets unbinds all; the job has no budgets key", async (ctx) => {
    const t = await pro(ctx);
    const a = await setUp(t, "k", "a");
    const r = await t.del(`/jobs/${a.id}/budgets`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: a.id, status: "ready" });
    expect(r.body).not.toHaveProperty("budgets");
    expect((await t.get(`/jobs/${a.id}`)).body).not.toHaveProperty("budgets");
  });

  it("fact 215: PUT /jobs/{id}/budgets replaces the set in the given order; [] clears it", async (ctx) => {
    const t = await pro(ctx);
    const a = await setUp(t, "k");
    const r = await t.put(`/jobs/${a.id}/budgets`, { budgets: [{ key: "a" }, { key: "b", cost: 3 }] });
    expect(r.status).toBe(200);
    expect(r.body.budgets).toEqual([
      { key: "a", cost: 1 },
      { key: "b", cost: 3 },
    ]);
    const cleared = await t.put(`/jobs/${a.id}/budgets`, { budgets: [] });
    expect(cleared.status).toBe(200);
    expect(cleared.body).not.toHaveProperty("budgets");
  });

  it("fact 216: PUT /jobs/{id}/budgets with a repeated key is 422", async (ctx) => {
    const t = await pro(ctx);
    const a = await setUp(t, "k");
    const r = await t.put(`/jobs/${a.id}/budgets`, { budgets: [{ key: "a" }, { key: "a", cost: 2 }] });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ error: "budget 'a' named more than once" });
    expect((await t.get(`/jobs/${a.id}`)).body.budgets).toEqual([{ key: "k", cost: 1 }]);
  });

  it("fact 217: every job budget route on a missing job is 404 with the quoted id", async (ctx) => {
    const t = await pro(ctx);
    await setUp(t);
    const routes: [string, string, unknown?][] = [
      ["POST", "/jobs/nonexistent/budgets/k", { cost: 1 }],
      ["PUT", "/jobs/nonexistent/budgets/k", { cost: 1 }],
      ["PATCH", "/jobs/nonexistent/budgets/k", { cost: 1 }],
      ["DELETE", "/jobs/nonexistent/budgets/k"],
      ["PUT", "/jobs/nonexistent/budgets", { budgets: [{ key: "k" }] }],
      ["DELETE", "/jobs/nonexistent/budgets"],
    ];
    for (const [method, path, json] of routes) {
      const r = await t.req(method, path, json === undefined ? {} : { json });
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.body, `${method} ${path}`).toEqual({ error: "job 'nonexistent' not found" });
    }
  });

  it("fact 218: changing the budgets of an in-flight, completed or dead job is 422", async (ctx) => {
    const t = await pro(ctx);
    const running = await setUp(t, "k");
    // One stream takes every job in turn: an idle second stream would be offered the next one.
    const s = await t.stream("?prefetch=0");
    expect((await s.nextJob()).id).toBe(running.id);
    const routes: [string, string, unknown?][] = [
      ["POST", `/jobs/${running.id}/budgets/a`, { cost: 1 }],
      ["PUT", `/jobs/${running.id}/budgets/k`, { cost: 2 }],
      ["PATCH", `/jobs/${running.id}/budgets/k`, { cost: 2 }],
      ["DELETE", `/jobs/${running.id}/budgets/k`],
      ["PUT", `/jobs/${running.id}/budgets`, { budgets: [{ key: "a" }] }],
      ["DELETE", `/jobs/${running.id}/budgets`],
    ];
    for (const [method, path, json] of routes) {
      const r = await t.req(method, path, json === undefined ? {} : { json });
      expect(r.status, `${method} ${path}`).toBe(422);
      expect(r.body, `${method} ${path}`).toEqual({
        error: `job '${running.id}' is InFlight — only queued jobs may have their budgets changed`,
      });
    }
    expect((await t.get(`/jobs/${running.id}`)).body.budgets).toEqual([{ key: "k", cost: 1 }]);

    const done = await t.enqueue({ ...on("k"), retention: { completed_ms: 3_600_000 } });
    expect((await s.nextJob()).id).toBe(done.id);
    expect((await t.post(`/jobs/${done.id}/success`)).status).toBe(204);
    const completed = await t.del(`/jobs/${done.id}/budgets`);
    expect(completed.status).toBe(422);
    expect(completed.body).toEqual({ error: `job '${done.id}' is Completed — only queued jobs may have their budgets changed` });

    const killed = await t.enqueue(on("k"));
    expect((await s.nextJob()).id).toBe(killed.id);
    expect((await t.post(`/jobs/${killed.id}/failure`, { message: "x", kill: true })).body.status).toBe("dead");
    const dead = await t.del(`/jobs/${killed.id}/budgets`);
    expect(dead.status).toBe(422);
    expect(dead.body).toEqual({ error: `job '${killed.id}' is Dead — only queued jobs may have their budgets changed` });
  });

  it("fact 219: a scheduled job can be rebound", async (ctx) => {
    const t = await pro(ctx);
    await setUp(t);
    const later = await t.enqueue({ ...on("k"), ready_at: Date.now() + 3_600_000 });
    expect(later.status).toBe("scheduled");
    const r = await t.post(`/jobs/${later.id}/budgets/a`, { cost: 2 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: later.id, status: "scheduled" });
    expect(r.body.budgets).toEqual([
      { key: "k", cost: 1 },
      { key: "a", cost: 2 },
    ]);
  });

  it("fact 220: a key in the binding body is 400 (it comes from the path)", async (ctx) => {
    const t = await pro(ctx);
    const a = await setUp(t);
    const r = await t.post(`/jobs/${a.id}/budgets/k`, { key: "k", cost: 1 });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^invalid JSON: unknown field `key`/);
    expect((await t.get(`/jobs/${a.id}`)).body).not.toHaveProperty("budgets");
  });

  it("fact 221: binding a job with create_with creates the missing budget", async (ctx) => {
    const t = await pro(ctx);
    const a = await setUp(t);
    const r = await t.post(`/jobs/${a.id}/budgets/new`, { cost: 2, create_with: whileInFlight(7) });
    expect(r.status).toBe(200);
    expect(r.body.budgets).toEqual([{ key: "new", cost: 2 }]);
    const budget = await t.get("/budgets/new");
    expect(budget.status).toBe(200);
    expect(budget.body).toMatchObject({ key: "new", allocation: 7, strategy: { type: "while_in_flight" } });
  });
});
