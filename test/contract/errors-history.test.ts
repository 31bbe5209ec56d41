// §13 facts 94–100: error history and GET /jobs/{id}.
import { describe, expect, it } from "vitest";
import { target } from "./harness.ts";

describe("error history", () => {
  it("fact 94: a job without failures has an empty error list", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue();
    const r = await t.get(`/jobs/${a.id}/errors`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      errors: [],
      pages: { self: `/jobs/${a.id}/errors?order=asc&limit=50`, next: null, prev: null },
    });
  });

  it("fact 95: one failure gives one error record", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue();
    const [taken] = await t.claim();
    const failed = await t.post(`/jobs/${a.id}/failure`, { message: "boom", error_type: "RuntimeError" });
    const r = await t.get(`/jobs/${a.id}/errors`);
    expect(r.status).toBe(200);
    expect(r.body.errors).toEqual([
      {
        attempt: 1,
        message: "boom",
        error_type: "RuntimeError",
        dequeued_at: taken.dequeued_at,
        failed_at: failed.body.failed_at,
      },
    ]);
    expect(r.body.errors[0]).not.toHaveProperty("backtrace");
  });

  it("fact 96: error pages step forward with next and back with prev", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue();
    const s = await t.stream();
    for (const message of ["first", "second"]) {
      await s.nextJob();
      // A past retry_at brings the job straight back to this stream.
      expect((await t.post(`/jobs/${a.id}/failure`, { message, retry_at: 1 })).status).toBe(200);
    }
    const page1 = await t.get(`/jobs/${a.id}/errors?limit=1`);
    expect(page1.status).toBe(200);
    expect(page1.body.errors.map((e: any) => [e.attempt, e.message])).toEqual([[1, "first"]]);
    expect(page1.body.pages.next).toBe(`/jobs/${a.id}/errors?from=1&order=asc&limit=1`);
    expect(page1.body.pages.prev).toBeNull();
    const page2 = await t.get(page1.body.pages.next);
    expect(page2.status).toBe(200);
    expect(page2.body.errors.map((e: any) => [e.attempt, e.message])).toEqual([[2, "second"]]);
    expect(page2.body.pages.next).toBeNull();
    expect(page2.body.pages.prev).toBeTypeOf("string");
  });

  it("fact 97: errors of an unknown job is 404", async (ctx) => {
    const t = await target(ctx);
    const r = await t.get("/jobs/nonexistent/errors");
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: "job not found" });
  });

  it("fact 98: GET one error record by attempt", async (ctx) => {
    const t = await target(ctx);
    const failedJob = await t.enqueue({ queue: "failing" });
    await t.claim(1, "&queue=failing");
    expect((await t.post(`/jobs/${failedJob.id}/failure`, { message: "boom", backtrace: "at x" })).status).toBe(200);
    const r = await t.get(`/jobs/${failedJob.id}/errors/1`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual((await t.get(`/jobs/${failedJob.id}/errors`)).body.errors[0]);
    expect(r.body).toMatchObject({ attempt: 1, message: "boom", backtrace: "at x" });

    const clean = await t.enqueue();
    const none = await t.get(`/jobs/${clean.id}/errors/1`);
    expect(none.status).toBe(404);
    expect(none.body).toEqual({ error: "error record not found" });

    const unknown = await t.get("/jobs/nonexistent/errors/1");
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: "job not found" });
  });

  it("fact 99: a non-numeric attempt is a 400 text/plain rejection", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue();
    const r = await t.get(`/jobs/${a.id}/errors/abc`);
    expect(r.status).toBe(400);
    expect(r.contentType).toBe("text/plain; charset=utf-8");
    expect(r.text).toBe("Invalid URL: Cannot parse value at index 1 with value `abc` to a `u32`");
  });
});

describe("GET /jobs/{id}", () => {
  it("fact 100: a ready job has payload and no dequeued_at; an in-flight one has dequeued_at", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue({ payload: { n: 1 } });
    const ready = await t.get(`/jobs/${a.id}`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ id: a.id, status: "ready", payload: { n: 1 } });
    expect(ready.body).not.toHaveProperty("dequeued_at");
    expect(ready.body).not.toHaveProperty("duplicate");
    const [taken] = await t.claim();
    const inFlight = await t.get(`/jobs/${a.id}`);
    expect(inFlight.body).toMatchObject({ status: "in_flight", dequeued_at: taken.dequeued_at, payload: { n: 1 } });
  });
});
