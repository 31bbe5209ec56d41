// §13 facts 72–93: acks, failures, backoff, retry limits and retention of finished jobs.
import { describe, expect, it } from "vitest";
import { target } from "./harness.ts";

const NOT_IN_FLIGHT = { error: "job not found in in-flight set" };
const HOUR = 3_600_000;
const WEEK = 604_800_000;

describe("ack", () => {
  it("fact 72: acking an in-flight job is 204 with an empty body", async (ctx) => {
    const t = await target(ctx);
    const created = await t.enqueue();
    await t.claim();
    const r = await t.post(`/jobs/${created.id}/success`);
    expect(r.status).toBe(204);
    expect(r.bytes.length).toBe(0);
  });

  it("fact 73: acking an unknown id is 404 not found in in-flight set", async (ctx) => {
    const t = await target(ctx);
    const r = await t.post("/jobs/nonexistent/success");
    expect(r.status).toBe(404);
    expect(r.body).toEqual(NOT_IN_FLIGHT);
  });

  it("fact 74: acking a ready job is 404", async (ctx) => {
    const t = await target(ctx);
    const created = await t.enqueue();
    const r = await t.post(`/jobs/${created.id}/success`);
    expect(r.status).toBe(404);
    expect(r.body).toEqual(NOT_IN_FLIGHT);
    expect((await t.get(`/jobs/${created.id}`)).body.status).toBe("ready");
  });

  it("fact 75: bulk ack of in-flight jobs is 204", async (ctx) => {
    const t = await target(ctx);
    for (let i = 0; i < 3; i++) await t.enqueue();
    const ids = (await t.claim(3)).map((j) => j.id);
    const r = await t.post("/jobs/success", { ids });
    expect(r.status).toBe(204);
    expect(r.bytes.length).toBe(0);
    expect((await t.get("/jobs/count")).body).toEqual({ count: 0 });
  });

  it("fact 76: bulk ack with an unknown id is 422 not_found and still completes the rest", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue({ retention: { completed_ms: HOUR } });
    await t.claim();
    const r = await t.post("/jobs/success", { ids: [a.id, "bogus_id"] });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ not_found: ["bogus_id"] });
    expect((await t.get(`/jobs/${a.id}`)).body.status).toBe("completed");
  });

  it("fact 77: bulk ack with no ids is 400", async (ctx) => {
    const t = await target(ctx);
    const r = await t.post("/jobs/success", { ids: [] });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: "ids must not be empty" });
  });

  it("fact 78: bulk ack of the same id twice is 204", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue();
    await t.claim();
    const r = await t.post("/jobs/success", { ids: [a.id, a.id] });
    expect(r.status).toBe(204);
    expect((await t.get(`/jobs/${a.id}`)).status).toBe(404);
  });

  it("fact 79: bulk ack of two ready jobs is 422 listing both", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue();
    const b = await t.enqueue();
    const r = await t.post("/jobs/success", { ids: [a.id, b.id] });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ not_found: [a.id, b.id] });
  });

  it("fact 80: with default retention an acked job is gone", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue();
    await t.claim();
    expect((await t.post(`/jobs/${a.id}/success`)).status).toBe(204);
    const r = await t.get(`/jobs/${a.id}`);
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: "job not found" });
  });

  it("fact 81: with completed retention of 1 h an acked job stays completed", async (ctx) => {
    const check = async (t: Awaited<ReturnType<typeof target>>, fields: Record<string, unknown>) => {
      const a = await t.enqueue(fields);
      await t.claim();
      expect((await t.post(`/jobs/${a.id}/success`)).status).toBe(204);
      const r = await t.get(`/jobs/${a.id}`);
      expect(r.status).toBe(200);
      expect(r.body.status).toBe("completed");
      expect(r.body.completed_at).toBeTypeOf("number");
      expect(r.body.purge_at).toBe(r.body.completed_at + HOUR);
    };
    // A per-job retention runs everywhere; the server default only where it can be set.
    const t = await target(ctx);
    await check(t, { retention: { completed_ms: HOUR } });
    if (!t.remote) await check(await target(ctx, { defaultRetention: { completedMs: HOUR } }), {});
  });
});

describe("failure", () => {
  it("fact 82: a failure reschedules and answers the job without payload", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue({ payload: { big: true } });
    const [taken] = await t.claim();
    const r = await t.post(`/jobs/${a.id}/failure`, { message: "connection timeout" });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: a.id, status: "scheduled", attempts: 1, dequeued_at: taken.dequeued_at });
    expect(r.body.failed_at).toBeTypeOf("number");
    expect(r.body.ready_at).toBeGreaterThan(r.body.failed_at);
    expect(r.body).not.toHaveProperty("payload");
  });

  it("fact 83: a failure with kill is dead", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue();
    await t.claim();
    const r = await t.post(`/jobs/${a.id}/failure`, { message: "fatal", kill: true });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: a.id, status: "dead", attempts: 1 });
  });

  it("fact 84: failing an unknown or ready job is 404", async (ctx) => {
    const t = await target(ctx);
    const unknown = await t.post("/jobs/nonexistent/failure", { message: "x" });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual(NOT_IN_FLIGHT);
    const ready = await t.enqueue();
    const r = await t.post(`/jobs/${ready.id}/failure`, { message: "x" });
    expect(r.status).toBe(404);
    expect(r.body).toEqual(NOT_IN_FLIGHT);
  });

  it("fact 85: a failure without message is 400", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue();
    await t.claim();
    const r = await t.post(`/jobs/${a.id}/failure`, {});
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^invalid JSON: missing field `message`/);
    expect((await t.get(`/jobs/${a.id}`)).body.status).toBe("in_flight");
  });

  it("fact 86: the server default backoff sets ready_at = now + 1500", async (ctx) => {
    const clock = Date.now();
    const t = await target(ctx, { defaultBackoff: { exponent: 2, baseMs: 500, jitterMs: 0 }, now: () => clock, random: () => 0 });
    const a = await t.enqueue();
    await t.claim();
    const r = await t.post(`/jobs/${a.id}/failure`, { message: "x" });
    expect(r.status).toBe(200);
    expect(r.body.failed_at).toBe(clock);
    expect(r.body.ready_at).toBe(clock + 1500);
  });

  it("fact 87: a per-job backoff sets ready_at = now + 1200", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue({ backoff: { exponent: 1, base_ms: 200, jitter_ms: 0 } });
    await t.claim();
    const r = await t.post(`/jobs/${a.id}/failure`, { message: "x" });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("scheduled");
    // failed_at is the server's now at the failure.
    expect(r.body.ready_at).toBe(r.body.failed_at + 1200);
  });

  it("fact 88: retry_limit 1 allows one retry", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue({ retry_limit: 1 });
    const s = await t.stream();
    await s.nextJob();
    const first = await t.post(`/jobs/${a.id}/failure`, { message: "1" });
    expect(first.body).toMatchObject({ status: "scheduled", attempts: 1 });
    // Make it ready now instead of waiting out the backoff; the same stream takes it again.
    expect((await t.patch(`/jobs/${a.id}`, { ready_at: null })).body.status).toBe("ready");
    expect((await s.nextJob()).id).toBe(a.id);
    const second = await t.post(`/jobs/${a.id}/failure`, { message: "2" });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: "dead", attempts: 2 });
  });

  it("fact 89: retry_limit 0 dies on the first failure", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue({ retry_limit: 0 });
    await t.claim();
    const r = await t.post(`/jobs/${a.id}/failure`, { message: "x" });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "dead", attempts: 1 });
  });

  it("fact 90: retry_at overrides the retry limit", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue({ retry_limit: 0 });
    await t.claim();
    const r = await t.post(`/jobs/${a.id}/failure`, { message: "x", retry_at: 123456 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "scheduled", ready_at: 123456, attempts: 1 });
  });

  it("fact 91: kill wins over retry_at", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue();
    await t.claim();
    const r = await t.post(`/jobs/${a.id}/failure`, { message: "x", retry_at: Date.now() + 60_000, kill: true });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("dead");
  });

  it("fact 92: a dead job is kept 7 days by default", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue();
    await t.claim();
    const failed = await t.post(`/jobs/${a.id}/failure`, { message: "x", kill: true });
    expect(failed.body.purge_at).toBe(failed.body.failed_at + WEEK);
    const r = await t.get(`/jobs/${a.id}`);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("dead");
    expect(r.body.purge_at).toBe(r.body.failed_at + WEEK);
  });

  it("fact 93: dead retention 0 deletes the job at death", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue({ retention: { dead_ms: 0 } });
    await t.claim();
    const r = await t.post(`/jobs/${a.id}/failure`, { message: "x", kill: true });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("dead");
    expect(r.body).not.toHaveProperty("purge_at");
    expect((await t.get(`/jobs/${a.id}`)).status).toBe(404);
  });
});
