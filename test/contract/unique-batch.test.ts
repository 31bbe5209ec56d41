// §13 facts 27–53: unique jobs, batched (folded) jobs and bulk enqueue.
import { describe, expect, it } from "vitest";
import { eachTier, job, target } from "./harness.ts";

const fold = (key = "k", when = "true") => ({ key, when, fold: "$existing + $new" });

describe("unique jobs", () => {
  it("fact 27: unique_key on the free tier is 403", async (ctx) => {
    const t = await target(ctx, { license: "free" });
    const r = await t.post("/jobs", job({ unique_key: "k1" }));
    expect(r.status).toBe(403);
    expect(r.body.error).toContain("pro license");
    expect(r.body).toEqual({ error: "unique jobs requires a pro license" });
    expect((await t.get("/jobs/count")).body).toEqual({ count: 0 });
  });

  it("fact 28: Pro: a unique job is 201 with unique_key and the default scope", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const r = await t.post("/jobs", job({ unique_key: "k1" }));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ duplicate: false, folded: false, unique_key: "k1", unique_while: "queued" });
  });

  it("fact 29: Pro: the same unique job again is 200 duplicate with the first id", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const first = await t.post("/jobs", job({ unique_key: "k1" }));
    const again = await t.post("/jobs", job({ unique_key: "k1" }));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, folded: false, id: first.body.id });
    expect((await t.get("/jobs/count")).body).toEqual({ count: 1 });
  });

  it("fact 30: unique_while without unique_key is 400 on both tiers", async (ctx) => {
    await eachTier(ctx, async (t, tier) => {
      const r = await t.post("/jobs", job({ unique_while: "active" }));
      expect(r.status, tier).toBe(400);
      expect(r.body, tier).toEqual({ error: "unique_while requires unique_key" });
    });
  });

  it("fact 31: a bad unique_while is 400 on Pro, 403 on the free tier", async (ctx) => {
    await eachTier(ctx, async (t, tier) => {
      const r = await t.post("/jobs", job({ unique_key: "k1", unique_while: "forever" }));
      if (tier === "pro") {
        expect(r.status).toBe(400);
        expect(r.body.error).toBe('invalid unique_while: "forever" (expected "queued", "active", or "exists")');
      } else {
        expect(r.status).toBe(403);
        expect(r.body.error).toContain("pro license");
      }
    });
  });

  it("fact 32: Pro: queued scope frees the key once the job is taken", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const first = await t.enqueue({ unique_key: "k" });
    await t.claim();
    const again = await t.post("/jobs", job({ unique_key: "k" }));
    expect(again.status).toBe(201);
    expect(again.body.duplicate).toBe(false);
    expect(again.body.id).not.toBe(first.id);
  });

  it("fact 33: Pro: active scope keeps the key while in flight", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const first = await t.enqueue({ unique_key: "k", unique_while: "active" });
    await t.claim();
    const again = await t.post("/jobs", job({ unique_key: "k", unique_while: "active" }));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, id: first.id, status: "in_flight" });
  });

  it("fact 34: Pro: active scope frees the key on completion", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const first = await t.enqueue({ unique_key: "k", unique_while: "active", retention: { completed_ms: 3_600_000 } });
    await t.claim();
    expect((await t.post(`/jobs/${first.id}/success`)).status).toBe(204);
    const again = await t.post("/jobs", job({ unique_key: "k", unique_while: "active" }));
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(first.id);
  });

  it("fact 35: Pro: exists scope blocks after completion while the job is retained", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const retained = await t.enqueue({ unique_key: "kept", unique_while: "exists", retention: { completed_ms: 3_600_000 } });
    await t.claim(1, "&queue=q");
    expect((await t.post(`/jobs/${retained.id}/success`)).status).toBe(204);
    const blocked = await t.post("/jobs", job({ queue: "q2", unique_key: "kept", unique_while: "exists" }));
    expect(blocked.status).toBe(200);
    expect(blocked.body).toMatchObject({ duplicate: true, id: retained.id, status: "completed" });

    // Retention 0 deletes the job on completion, which frees the key.
    const purged = await t.enqueue({ queue: "q3", unique_key: "gone", unique_while: "exists" });
    await t.claim(1, "&queue=q3");
    expect((await t.post(`/jobs/${purged.id}/success`)).status).toBe(204);
    const fresh = await t.post("/jobs", job({ queue: "q3", unique_key: "gone", unique_while: "exists" }));
    expect(fresh.status).toBe(201);
    expect(fresh.body.id).not.toBe(purged.id);
  });

  it("fact 36: Pro: queued scope restores the key on a failure retry", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const first = await t.enqueue({ unique_key: "k" });
    await t.claim();
    const failed = await t.post(`/jobs/${first.id}/failure`, { message: "boom", retry_at: Date.now() + 60_000 });
    expect(failed.status).toBe(200);
    expect(failed.body.status).toBe("scheduled");
    const again = await t.post("/jobs", job({ unique_key: "k" }));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, id: first.id });
  });

  it("fact 37: unique_key with batch is 400 on both tiers", async (ctx) => {
    await eachTier(ctx, async (t, tier) => {
      const r = await t.post("/jobs", job({ unique_key: "k", batch: fold() }));
      expect(r.status, tier).toBe(400);
      expect(r.body.error, tier).toContain("cannot be combined");
    });
  });
});

describe("batched jobs", () => {
  it("fact 38: batch on the free tier is 403", async (ctx) => {
    const t = await target(ctx, { license: "free" });
    const r = await t.post("/jobs", job({ payload: [1], batch: fold() }));
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ error: "batched jobs requires a pro license" });
  });

  it("fact 39: Pro: the first batched enqueue is 201 and echoes batch", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const r = await t.post("/jobs", job({ payload: [1], batch: fold() }));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ folded: false, duplicate: false, batch: fold() });
    expect(r.body).not.toHaveProperty("payload");
  });

  it("fact 40: Pro: the same batch key folds into the open job", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const first = await t.enqueue({ payload: [1], batch: fold() });
    const second = await t.post("/jobs", job({ payload: [2], batch: fold() }));
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ folded: true, duplicate: false, id: first.id });
    expect(second.body).not.toHaveProperty("payload");
    const stored = await t.get(`/jobs/${first.id}`);
    expect(stored.body.payload).toEqual([1, 2]);
    expect(stored.body.batch).toEqual(fold());
  });

  it("fact 41: Pro: a when expression that does not compile is 422", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const r = await t.post("/jobs", job({ payload: [1], batch: { key: "k", when: ".[*]", fold: "$existing + $new" } }));
    expect(r.status).toBe(422);
    expect(r.body.error).toMatch(/^batch expression: when: /);
    expect((await t.get("/jobs/count")).body).toEqual({ count: 0 });
  });

  it("fact 42: Pro: a fold with two outputs is 422 batch dry-run: fold:", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const r = await t.post("/jobs", job({ payload: [1], batch: { key: "k", when: "true", fold: "$existing, $new" } }));
    expect(r.status).toBe(422);
    expect(r.body.error).toMatch(/^batch dry-run: fold:/);
  });

  it("fact 43: Pro: a scheduled batched enqueue never folds", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const open = await t.enqueue({ payload: [1], batch: fold() });
    const r = await t.post("/jobs", job({ payload: [2], batch: fold(), ready_at: Date.now() + 60_000 }));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ folded: false, status: "scheduled" });
    expect(r.body.id).not.toBe(open.id);
    expect((await t.get(`/jobs/${open.id}`)).body.payload).toEqual([1]);
  });

  it("fact 44: Pro: taking the open batch job closes the batch", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const open = await t.enqueue({ payload: [1], batch: fold() });
    await t.claim();
    const r = await t.post("/jobs", job({ payload: [2], batch: fold() }));
    expect(r.status).toBe(201);
    expect(r.body.folded).toBe(false);
    expect(r.body.id).not.toBe(open.id);
  });

  it("fact 45: Pro: a falsy when seals the batch and starts a new job", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const batch = fold("k", "($existing|length) < 2");
    const first = await t.post("/jobs", job({ payload: [1], batch }));
    expect(first.status).toBe(201);
    const second = await t.post("/jobs", job({ payload: [2], batch }));
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ folded: true, id: first.body.id });
    const third = await t.post("/jobs", job({ payload: [3], batch }));
    expect(third.status).toBe(201);
    expect(third.body.folded).toBe(false);
    expect(third.body.id).not.toBe(first.body.id);
    expect((await t.get(`/jobs/${first.body.id}`)).body.payload).toEqual([1, 2]);
    expect((await t.get(`/jobs/${third.body.id}`)).body.payload).toEqual([3]);
  });
});

describe("bulk enqueue", () => {
  it("fact 46: bulk of 2 is 201 in input order with increasing ids", async (ctx) => {
    const t = await target(ctx);
    const r = await t.post("/jobs/bulk", { jobs: [job({ type: "a" }), job({ type: "b" })] });
    expect(r.status).toBe(201);
    expect(r.body.jobs).toHaveLength(2);
    const [a, b] = r.body.jobs;
    expect(a).toMatchObject({ type: "a", duplicate: false, folded: false, status: "ready" });
    expect(b).toMatchObject({ type: "b", duplicate: false, folded: false, status: "ready" });
    expect(a.id < b.id).toBe(true);
    expect(a).not.toHaveProperty("payload");
  });

  it("fact 47: an empty bulk is 201 {jobs:[]}", async (ctx) => {
    const t = await target(ctx);
    const r = await t.post("/jobs/bulk", { jobs: [] });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ jobs: [] });
  });

  it("fact 48: a bad type in item 1 is 400 jobs[1] and enqueues nothing", async (ctx) => {
    const t = await target(ctx);
    const r = await t.post("/jobs/bulk", { jobs: [job(), job({ type: "" })] });
    expect(r.status).toBe(400);
    expect(r.body.error).toContain("jobs[1]");
    expect(r.body.error).toBe("jobs[1]: type must not be empty");
    expect((await t.get("/jobs/count")).body).toEqual({ count: 0 });
  });

  it("fact 49: a bad queue in item 1 is 400 and the bulk is atomic", async (ctx) => {
    const t = await target(ctx);
    const r = await t.post("/jobs/bulk", { jobs: [job(), job({ queue: "" })] });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe("jobs[1]: queue must not be empty");
    expect((await t.get("/jobs")).body.jobs).toEqual([]);
  });

  it("fact 50: Pro: repeated unique keys in one bulk are duplicates of the first", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const r = await t.post("/jobs/bulk", {
      jobs: [job({ unique_key: "k1" }), job({ unique_key: "k1" }), job({ unique_key: "k2" })],
    });
    expect(r.status).toBe(201);
    expect(r.body.jobs.map((j: any) => j.duplicate)).toEqual([false, true, false]);
    const [a, b, c] = r.body.jobs;
    expect(b.id).toBe(a.id);
    expect(c.id).not.toBe(a.id);
    expect((await t.get("/jobs/count")).body).toEqual({ count: 2 });
  });

  it("fact 51: Pro: a bulk of only duplicates is 200", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const existing = await t.enqueue({ unique_key: "k1" });
    const r = await t.post("/jobs/bulk", { jobs: [job({ unique_key: "k1" }), job({ unique_key: "k1" })] });
    expect(r.status).toBe(200);
    expect(r.body.jobs).toHaveLength(2);
    for (const item of r.body.jobs) expect(item).toMatchObject({ duplicate: true, id: existing.id });
  });

  it("fact 52: Pro: repeated batch keys fold within one bulk", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const r = await t.post("/jobs/bulk", {
      jobs: [job({ payload: [1], batch: fold() }), job({ payload: [2], batch: fold() }), job({ payload: [3], batch: fold() })],
    });
    expect(r.status).toBe(201);
    expect(r.body.jobs.map((j: any) => j.folded)).toEqual([false, true, true]);
    const id = r.body.jobs[0].id;
    expect(r.body.jobs.map((j: any) => j.id)).toEqual([id, id, id]);
    expect((await t.get(`/jobs/${id}`)).body.payload).toEqual([1, 2, 3]);
  });

  it("fact 53: a batch item in a bulk on the free tier is 403", async (ctx) => {
    const t = await target(ctx, { license: "free" });
    const r = await t.post("/jobs/bulk", { jobs: [job(), job({ payload: [1], batch: fold() })] });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ error: "batched jobs requires a pro license" });
    expect((await t.get("/jobs/count")).body).toEqual({ count: 0 });
  });
});
