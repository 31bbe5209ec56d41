// §13 facts 120–138 and 157: PATCH and DELETE of jobs, and expiry of retained jobs.
import { describe, expect, it } from "vitest";
import { sleep } from "../support/wait.ts";
import { expectBetween, target } from "./harness.ts";

describe("PATCH /jobs/{id}", () => {
  it("fact 120: PATCH retry_limit answers the job without payload", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue({ payload: { n: 1 } });
    const r = await t.patch(`/jobs/${a.id}`, { retry_limit: 10 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: a.id, retry_limit: 10, status: "ready" });
    expect(r.body).not.toHaveProperty("payload");
    expect(r.body).not.toHaveProperty("duplicate");
  });

  it("fact 121: PATCH of an unknown job is 404", async (ctx) => {
    const t = await target(ctx);
    const r = await t.patch("/jobs/nonexistent", {});
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: "job not found" });
  });

  it("fact 122: PATCH of a completed job is 422", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue({ retention: { completed_ms: 3_600_000 } });
    await t.claim();
    expect((await t.post(`/jobs/${a.id}/success`)).status).toBe(204);
    const r = await t.patch(`/jobs/${a.id}`, { priority: 1 });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ error: `cannot patch job ${a.id} in completed status` });
  });

  it("fact 123: retry_limit null clears the key", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue({ retry_limit: 5 });
    const r = await t.patch(`/jobs/${a.id}`, { retry_limit: null });
    expect(r.status).toBe(200);
    expect(r.body).not.toHaveProperty("retry_limit");
    expect((await t.get(`/jobs/${a.id}`)).body).not.toHaveProperty("retry_limit");
  });

  it("fact 124: PATCH queue and priority", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue();
    const r = await t.patch(`/jobs/${a.id}`, { queue: "q2", priority: 42 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: a.id, queue: "q2", priority: 42 });
  });

  it("fact 125: bad or null queue and null priority are 422", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue();
    const empty = await t.patch(`/jobs/${a.id}`, { queue: "" });
    expect(empty.status).toBe(422);
    expect(empty.body).toEqual({ error: "queue must not be empty" });
    const comma = await t.patch(`/jobs/${a.id}`, { queue: "a,b" });
    expect(comma.status).toBe(422);
    expect(comma.body).toEqual({ error: "queue must not contain ','" });
    const nullQueue = await t.patch(`/jobs/${a.id}`, { queue: null });
    expect(nullQueue.status).toBe(422);
    expect(nullQueue.body).toEqual({ error: "queue cannot be null" });
    const nullPriority = await t.patch(`/jobs/${a.id}`, { priority: null });
    expect(nullPriority.status).toBe(422);
    expect(nullPriority.body).toEqual({ error: "priority cannot be null" });
    expect((await t.get(`/jobs/${a.id}`)).body).toMatchObject({ queue: "q", priority: 32768 });
  });

  it("fact 126: ready_at moves a job to scheduled and null brings it back now", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue();
    const later = Date.now() + 3_600_000;
    const scheduled = await t.patch(`/jobs/${a.id}`, { ready_at: later });
    expect(scheduled.status).toBe(200);
    expect(scheduled.body).toMatchObject({ status: "scheduled", ready_at: later });
    const before = Date.now();
    const ready = await t.patch(`/jobs/${a.id}`, { ready_at: null });
    const after = Date.now();
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe("ready");
    expectBetween(t, ready.body.ready_at, before, after);
  });

  it("fact 127: payload in a PATCH body is ignored", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue({ payload: { x: 0 } });
    const r = await t.patch(`/jobs/${a.id}`, { payload: { x: 1 } });
    expect(r.status).toBe(200);
    expect(r.body).not.toHaveProperty("payload");
    expect((await t.get(`/jobs/${a.id}`)).body.payload).toEqual({ x: 0 });
  });
});

describe("PATCH /jobs", () => {
  it("fact 128: bulk PATCH by queue counts the patched jobs", async (ctx) => {
    const t = await target(ctx);
    for (let i = 0; i < 3; i++) await t.enqueue({ queue: "q1" });
    const r = await t.patch("/jobs?queue=q1", { queue: "q2" });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ patched: 3 });
    expect((await t.get("/jobs/count?queue=q2")).body).toEqual({ count: 3 });
  });

  it("fact 129: bulk PATCH of completed jobs is 422", async (ctx) => {
    const t = await target(ctx);
    const r = await t.patch("/jobs?status=completed", { priority: 1 });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ error: "cannot patch jobs in Completed status" });
  });

  it("fact 130: bulk PATCH with queue null is 422", async (ctx) => {
    const t = await target(ctx);
    await t.enqueue();
    const r = await t.patch("/jobs", { queue: null });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({ error: "queue cannot be null" });
  });

  it("fact 131: bulk PATCH matching nothing patches 0", async (ctx) => {
    const t = await target(ctx);
    await t.enqueue();
    const r = await t.patch("/jobs?queue=nonexistent", { priority: 1 });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ patched: 0 });
  });

  it("fact 132: bulk PATCH by priority range", async (ctx) => {
    const t = await target(ctx);
    for (const priority of [0, 5, 50, 200]) await t.enqueue({ priority });
    const r = await t.patch("/jobs?priority=5..100", { priority: 7 });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ patched: 2 });
    expect((await t.get("/jobs")).body.jobs.map((j: any) => j.priority)).toEqual([0, 7, 7, 200]);
  });
});

describe("DELETE", () => {
  it("fact 133: DELETE /jobs/{id} is 204 with an empty body", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue();
    const r = await t.del(`/jobs/${a.id}`);
    expect(r.status).toBe(204);
    expect(r.bytes.length).toBe(0);
    expect((await t.get(`/jobs/${a.id}`)).status).toBe(404);
  });

  it("fact 134: DELETE of an unknown job is 404", async (ctx) => {
    const t = await target(ctx);
    const r = await t.del("/jobs/nonexistent");
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: "job not found" });
  });

  it("fact 135: bulk DELETE by queue and by id", async (ctx) => {
    const t = await target(ctx);
    await t.enqueue({ queue: "q" });
    const byQueue = await t.del("/jobs?queue=q");
    expect(byQueue.status).toBe(200);
    expect(byQueue.body).toEqual({ deleted: 1 });
    const b = await t.enqueue({ queue: "other" });
    expect((await t.del(`/jobs?id=${b.id}`)).body).toEqual({ deleted: 1 });
    expect((await t.del("/jobs?queue=nonexistent")).body).toEqual({ deleted: 0 });
  });

  it("fact 136: bulk DELETE with an invalid id is 400", async (ctx) => {
    const t = await target(ctx);
    await t.enqueue();
    const r = await t.del("/jobs?id=not-valid");
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: 'invalid job ID: "not-valid"' });
    expect((await t.get("/jobs/count")).body).toEqual({ count: 1 });
  });

  it("fact 137: DELETE /jobs without filters deletes everything", async (ctx) => {
    const t = await target(ctx);
    await t.enqueue({ queue: "a" });
    await t.enqueue({ queue: "b", ready_at: Date.now() + 60_000 });
    await t.enqueue({ queue: "c" });
    await t.claim(1, "&queue=c");
    const r = await t.del("/jobs");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ deleted: 3 });
    expect((await t.get("/jobs")).body.jobs).toEqual([]);
  });

  it("fact 138: bulk DELETE by priority range", async (ctx) => {
    const t = await target(ctx);
    for (const priority of [0, 5, 50, 200]) await t.enqueue({ priority });
    const r = await t.del("/jobs?priority=5..100");
    expect(r.body).toEqual({ deleted: 2 });
    expect((await t.get("/jobs")).body.jobs.map((j: any) => j.priority)).toEqual([0, 200]);
  });
});

describe("expiry", () => {
  it("fact 157: a retained job is 404 once purge_at has passed, before any reaping", async (ctx) => {
    const t = await target(ctx);
    const RETAIN_MS = 150;
    const done = await t.enqueue({ queue: "done", retention: { completed_ms: RETAIN_MS } });
    await t.claim(1, "&queue=done");
    expect((await t.post(`/jobs/${done.id}/success`)).status).toBe(204);
    const dead = await t.enqueue({ queue: "dead", retention: { dead_ms: RETAIN_MS } });
    await t.claim(1, "&queue=dead");
    expect((await t.post(`/jobs/${dead.id}/failure`, { message: "x", kill: true })).status).toBe(200);
    expect((await t.get(`/jobs/${done.id}`)).body.status).toBe("completed");
    expect((await t.get(`/jobs/${dead.id}`)).body.status).toBe("dead");

    await sleep(RETAIN_MS + 50);
    for (const id of [done.id, dead.id]) {
      const r = await t.get(`/jobs/${id}`);
      expect(r.status, id).toBe(404);
      expect(r.body, id).toEqual({ error: "job not found" });
    }
    // Not reaped yet, so /queues still sees them (§7.1). A real server's 30 s reaper may
    // have run in between, so this is checked in-process only.
    if (!t.remote) expect((await t.get("/queues")).body).toEqual({ queues: ["dead", "done"] });
  });
});
