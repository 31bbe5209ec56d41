// zizq-protocol-0.7.md §13 facts 159–184: the licence rule and budget CRUD (§1–§3.5).
import { describe, expect, it } from "vitest";
import { createBudget, on, pro, timeBased, whileInFlight } from "./budget-helpers.ts";
import { expectBetween, job, sleep, target } from "./harness.ts";

/** Our wording of the Pro error (§1: the feature's name is unknown; the 0.6.1 pattern). */
const FORBIDDEN = "budgets requires a pro license";
const EMAILS = timeBased(100, 60_000);
const NO_BURST =
  "while_in_flight budget must not set strategy.burst — it has no drip to burst ahead of, so its allocation is already the most that can run at once";

describe("budgets: licence", () => {
  it("fact 159 (text unknown; we choose 'budgets requires a pro license'): every budget route on the free tier is 403", async (ctx) => {
    const t = await target(ctx, { license: "free" });
    const routes: [string, string, unknown?][] = [
      ["GET", "/budgets"],
      ["GET", "/budgets/k"],
      ["POST", "/budgets/k", whileInFlight(1)],
      ["PUT", "/budgets/k", whileInFlight(1)],
      ["PATCH", "/budgets/k", { allocation: 2 }],
      ["DELETE", "/budgets/k"],
      ["POST", "/jobs/nonexistent/budgets/k", { cost: 1 }],
      ["PUT", "/jobs/nonexistent/budgets/k", { cost: 1 }],
      ["PATCH", "/jobs/nonexistent/budgets/k", { cost: 1 }],
      ["DELETE", "/jobs/nonexistent/budgets/k"],
      ["PUT", "/jobs/nonexistent/budgets", { budgets: [] }],
      ["DELETE", "/jobs/nonexistent/budgets"],
      ["POST", "/jobs/budgets/k", { cost: 1 }],
      ["PUT", "/jobs/budgets/k", { cost: 1 }],
      ["PATCH", "/jobs/budgets/k", { cost: 1 }],
      ["DELETE", "/jobs/budgets/k"],
      ["DELETE", "/jobs/budgets"],
    ];
    for (const [method, path, json] of routes) {
      const r = await t.req(method, path, json === undefined ? {} : { json });
      expect(r.status, `${method} ${path}`).toBe(403);
      if (t.remote) expect(r.body.error, `${method} ${path}`).toMatch(/requires a pro license$/);
      else expect(r.body, `${method} ${path}`).toEqual({ error: FORBIDDEN });
    }
    if (t.remote) return;
    const expired = await target(ctx, { license: "expired" });
    const r = await expired.get("/budgets");
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ error: `License expired. ${FORBIDDEN}.` });
  });

  it("fact 160: free tier: a broken budget body is 400 (parsed before the licence)", async (ctx) => {
    const t = await target(ctx, { license: "free" });
    for (const method of ["POST", "PUT", "PATCH"]) {
      const r = await t.req(method, "/budgets/k", { raw: '{"allocation":', headers: { "content-type": "application/json" } });
      expect(r.status, method).toBe(400);
      expect(r.body.error, method).toMatch(/^invalid JSON: /);
    }
  });

  it("fact 161: free tier: enqueue with a budget is 403; with budgets:[] it is 201 and unthrottled", async (ctx) => {
    const t = await target(ctx, { license: "free" });
    const bound = await t.post("/jobs", job(on("k")));
    expect(bound.status).toBe(403);
    if (t.remote) expect(bound.body.error).toMatch(/requires a pro license$/);
    else expect(bound.body).toEqual({ error: FORBIDDEN });
    expect((await t.get("/jobs/count")).body).toEqual({ count: 0 });

    const empty = await t.post("/jobs", job({ budgets: [] }));
    expect(empty.status).toBe(201);
    expect(empty.body).not.toHaveProperty("budgets");
    expect((await t.claim()).map((j) => j.id)).toEqual([empty.body.id]);
  });
});

describe("budgets: create, read, replace", () => {
  it("fact 162: GET /budgets on an empty store is {budgets:[]}", async (ctx) => {
    const t = await pro(ctx);
    const r = await t.get("/budgets");
    expect(r.status).toBe(200);
    expect(r.contentType).toBe("application/json");
    expect(r.body).toEqual({ budgets: [] });
  });

  it("fact 163: POST a time_based budget is 201 with the policy, no burst, created_at = updated_at", async (ctx) => {
    const t = await pro(ctx);
    const before = Date.now();
    const r = await t.post("/budgets/emails", EMAILS);
    const after = Date.now();
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      key: "emails",
      allocation: 100,
      strategy: { type: "time_based", duration_ms: 60_000 },
      created_at: expect.any(Number),
      updated_at: expect.any(Number),
    });
    expect(Object.keys(r.body)).toEqual(["key", "allocation", "strategy", "created_at", "updated_at"]);
    expect(Object.keys(r.body.strategy)).toEqual(["type", "duration_ms"]);
    expectBetween(t, r.body.created_at, before, after);
    expect(r.body.updated_at).toBe(r.body.created_at);
    expect((await t.get("/budgets/emails")).body).toEqual(r.body);
  });

  it("fact 164: POST over an existing budget is 409 and keeps the first policy", async (ctx) => {
    const t = await pro(ctx);
    const first = await createBudget(t, "emails", EMAILS);
    const again = await t.post("/budgets/emails", timeBased(5, 1000));
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: "budget 'emails' already exists" });
    const r = await t.get("/budgets/emails");
    expect(r.status).toBe(200);
    expect(r.body).toEqual(first);
  });

  it("fact 165: PUT of an absent budget is 200 (never 201) and creates it", async (ctx) => {
    const t = await pro(ctx);
    const r = await t.put("/budgets/new", whileInFlight(4));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ key: "new", allocation: 4, strategy: { type: "while_in_flight" } });
    expect(r.body.updated_at).toBe(r.body.created_at);
    const read = await t.get("/budgets/new");
    expect(read.status).toBe(200);
    expect(read.body).toEqual(r.body);
  });

  it("fact 166: PUT over a budget is 200, keeps created_at, and replaces the whole policy", async (ctx) => {
    const t = await pro(ctx);
    const first = await createBudget(t, "emails", timeBased(100, 60_000, 500));
    await sleep(5);
    const r = await t.put("/budgets/emails", timeBased(7, 1000));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ key: "emails", allocation: 7, created_at: first.created_at });
    // §3.4: a PUT without burst clears it.
    expect(r.body.strategy).toEqual({ type: "time_based", duration_ms: 1000 });
    expect(r.body.updated_at).toBeGreaterThanOrEqual(first.updated_at);
    expect((await t.get("/budgets/emails")).body).toEqual(r.body);
  });

  it("fact 167: a while_in_flight budget is 201 with strategy {type} only", async (ctx) => {
    const t = await pro(ctx);
    const r = await t.post("/budgets/s", whileInFlight(3));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ key: "s", allocation: 3 });
    expect(r.body.strategy).toEqual({ type: "while_in_flight" });
  });

  it("fact 168: while_in_flight with duration_ms or burst is 422", async (ctx) => {
    const t = await pro(ctx);
    const duration = await t.post("/budgets/s", { allocation: 3, strategy: { type: "while_in_flight", duration_ms: 1000 } });
    expect(duration.status).toBe(422);
    expect(duration.body).toEqual({
      error:
        "while_in_flight budget must not set strategy.duration_ms — its tokens return on acknowledgement, not on a clock",
    });
    const burst = await t.post("/budgets/s", { allocation: 3, strategy: { type: "while_in_flight", burst: 2 } });
    expect(burst.status).toBe(422);
    expect(burst.body).toEqual({ error: NO_BURST });
    expect((await t.get("/budgets/s")).status).toBe(404);
  });

  it("fact 169: time_based without duration_ms is 422", async (ctx) => {
    const t = await pro(ctx);
    const r = await t.post("/budgets/k", { allocation: 3, strategy: { type: "time_based" } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ error: "time_based budget requires strategy.duration_ms" });
  });

  it("fact 170: an unknown strategy type is 422", async (ctx) => {
    const t = await pro(ctx);
    const r = await t.post("/budgets/k", { allocation: 3, strategy: { type: "sliding_window" } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ error: 'unknown budget strategy: "sliding_window" (expected "time_based" or "while_in_flight")' });
  });

  it("fact 171: allocation must be 1 to 1000000", async (ctx) => {
    const t = await pro(ctx);
    const zero = await t.post("/budgets/k", whileInFlight(0));
    expect(zero.status).toBe(422);
    expect(zero.body).toEqual({ error: "budget allocation must be at least 1" });
    const over = await t.post("/budgets/k", whileInFlight(1_000_001));
    expect(over.status).toBe(422);
    expect(over.body).toEqual({ error: "budget allocation must not exceed 1000000" });
    expect((await t.get("/budgets")).body).toEqual({ budgets: [] });
    const max = await t.post("/budgets/k", whileInFlight(1_000_000));
    expect(max.status).toBe(201);
    expect(max.body.allocation).toBe(1_000_000);
  });

  it("fact 172: duration_ms 0, burst 0 and burst 1000001 are 422", async (ctx) => {
    const t = await pro(ctx);
    const cases: [Record<string, unknown>, string][] = [
      [timeBased(10, 0), "time_based budget duration_ms must be at least 1"],
      [timeBased(10, 1000, 0), "time_based budget burst must be at least 1"],
      [timeBased(10, 1000, 1_000_001), "time_based budget burst must not exceed 1000000"],
    ];
    for (const [policy, error] of cases) {
      const r = await t.post("/budgets/k", policy);
      expect(r.status, error).toBe(422);
      expect(r.body, error).toEqual({ error });
    }
    expect((await t.get("/budgets")).body).toEqual({ budgets: [] });
  });

  it("fact 173: a burst above the allocation is allowed", async (ctx) => {
    const t = await pro(ctx);
    const r = await t.post("/budgets/k", timeBased(10, 60_000, 50));
    expect(r.status).toBe(201);
    expect(r.body.strategy).toEqual({ type: "time_based", duration_ms: 60_000, burst: 50 });
  });

  it("fact 174: an unknown field in a budget body, key included, is 400", async (ctx) => {
    const t = await pro(ctx);
    const key = await t.post("/budgets/k", { ...whileInFlight(3), key: "x" });
    expect(key.status).toBe(400);
    expect(key.body.error).toMatch(/^invalid JSON: unknown field `key`/);
    const nested = await t.put("/budgets/k", { allocation: 3, strategy: { type: "time_based", duration_ms: 1000, foo: 1 } });
    expect(nested.status).toBe(400);
    expect(nested.body.error).toMatch(/^invalid JSON: unknown field `foo`/);
    expect((await t.get("/budgets")).body).toEqual({ budgets: [] });
  });

  it("fact 175: a key with ',' is 422; a key with '/' is fine when percent-encoded", async (ctx) => {
    const t = await pro(ctx);
    const comma = await t.post("/budgets/a%2Cb", whileInFlight(1));
    expect(comma.status).toBe(422);
    expect(comma.body).toEqual({ error: "budget key must not contain ','" });
    const slash = await t.post("/budgets/a%2Fb", whileInFlight(1));
    expect(slash.status).toBe(201);
    expect(slash.body.key).toBe("a/b");
    expect((await t.get("/budgets/a%2Fb")).body.key).toBe("a/b");
  });

  it("fact 176: GET, PATCH and DELETE of a missing budget are 404", async (ctx) => {
    const t = await pro(ctx);
    const replies = [await t.get("/budgets/nope"), await t.patch("/budgets/nope", { allocation: 2 }), await t.del("/budgets/nope")];
    for (const r of replies) {
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ error: "budget 'nope' not found" });
    }
    // PATCH never creates.
    expect((await t.get("/budgets")).body).toEqual({ budgets: [] });
  });

  it("fact 177: GET /budgets lists full policies in bytewise key order", async (ctx) => {
    const t = await pro(ctx);
    const b = await createBudget(t, "b", EMAILS);
    const a = await createBudget(t, "a", whileInFlight(2));
    const upper = await createBudget(t, "Z", whileInFlight(1));
    const r = await t.get("/budgets");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ budgets: [upper, a, b] });
  });
});

describe("budgets: PATCH", () => {
  it("fact 178: PATCH strategy.burst merges into the strategy and keeps created_at", async (ctx) => {
    const t = await pro(ctx);
    const first = await createBudget(t, "image-service", timeBased(10_000, 3_600_000));
    await sleep(5);
    const r = await t.patch("/budgets/image-service", { strategy: { burst: 50_000 } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ key: "image-service", allocation: 10_000, created_at: first.created_at });
    expect(r.body.strategy).toEqual({ type: "time_based", duration_ms: 3_600_000, burst: 50_000 });
    expect(r.body.updated_at).toBeGreaterThan(first.updated_at);
    expect((await t.get("/budgets/image-service")).body).toEqual(r.body);
  });

  it("fact 179: PATCH burst:null clears the burst", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", timeBased(10_000, 3_600_000, 50_000));
    const r = await t.patch("/budgets/k", { strategy: { burst: null } });
    expect(r.status).toBe(200);
    expect(r.body.strategy).toEqual({ type: "time_based", duration_ms: 3_600_000 });
    expect((await t.get("/budgets/k")).body.strategy).not.toHaveProperty("burst");
  });

  it("fact 180: PATCH allocation changes only the allocation", async (ctx) => {
    const t = await pro(ctx);
    const first = await createBudget(t, "k", timeBased(10, 60_000, 20));
    const r = await t.patch("/budgets/k", { allocation: 50 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ key: "k", allocation: 50, strategy: first.strategy, created_at: first.created_at });
  });

  it("fact 181: PATCH type while_in_flight on a time_based budget drops duration and burst", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", timeBased(10, 60_000, 20));
    const r = await t.patch("/budgets/k", { strategy: { type: "while_in_flight" } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ key: "k", allocation: 10 });
    expect(r.body.strategy).toEqual({ type: "while_in_flight" });
  });

  it("fact 182: PATCH a while_in_flight budget to time_based without duration, or with a burst, is 422", async (ctx) => {
    const t = await pro(ctx);
    const first = await createBudget(t, "k", whileInFlight(3));
    const type = await t.patch("/budgets/k", { strategy: { type: "time_based" } });
    expect(type.status).toBe(422);
    expect(type.body).toEqual({ error: "time_based budget requires strategy.duration_ms" });
    const burst = await t.patch("/budgets/k", { strategy: { burst: 5 } });
    expect(burst.status).toBe(422);
    expect(burst.body).toEqual({ error: NO_BURST });
    expect((await t.get("/budgets/k")).body).toEqual(first);
  });

  it("fact 183: PATCH an unknown strategy type is 422", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", whileInFlight(3));
    const r = await t.patch("/budgets/k", { strategy: { type: "bogus" } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ error: 'unknown strategy type "bogus" (expected "time_based" or "while_in_flight")' });
  });

  it("fact 184 (unknown; we choose: a null allocation means absent, 200 and nothing changes)", async (ctx) => {
    const t = await pro(ctx);
    const first = await createBudget(t, "k", timeBased(10, 60_000));
    const r = await t.patch("/budgets/k", { allocation: null });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ key: "k", allocation: 10, strategy: first.strategy, created_at: first.created_at });
    expect((await t.get("/budgets/k")).body.allocation).toBe(10);
  });
});
