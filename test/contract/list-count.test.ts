// §13 facts 101–119: GET /jobs filters and pagination, GET /jobs/count, GET /queues.
import { describe, expect, it } from "vitest";
import { target, type Target } from "./harness.ts";

const ids = (r: { body: any }) => r.body.jobs.map((j: any) => j.id);
const priorities = (r: { body: any }) => r.body.jobs.map((j: any) => j.priority);

async function enqueuePriorities(t: Target, list: number[]): Promise<void> {
  for (const priority of list) await t.enqueue({ priority });
}

describe("GET /jobs", () => {
  it("fact 101: an empty store lists no jobs with default links", async (ctx) => {
    const t = await target(ctx);
    const r = await t.get("/jobs");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ jobs: [], pages: { self: "/jobs?order=asc&limit=50", next: null, prev: null } });
  });

  it("fact 102: limit pages forward through next", async (ctx) => {
    const t = await target(ctx);
    const [a, b, c] = [await t.enqueue(), await t.enqueue(), await t.enqueue()];
    const page1 = await t.get("/jobs?limit=2");
    expect(ids(page1)).toEqual([a.id, b.id]);
    expect(page1.body.jobs[0].payload).toBeNull();
    expect(page1.body.pages.next).toBeTypeOf("string");
    expect(page1.body.pages.prev).toBeNull();
    const page2 = await t.get(page1.body.pages.next);
    expect(ids(page2)).toEqual([c.id]);
    expect(page2.body.pages.next).toBeNull();
    expect(page2.body.pages.prev).toBeTypeOf("string");
  });

  it("fact 103: order=desc lists newest first and pages without duplicates", async (ctx) => {
    const t = await target(ctx);
    const [a, b, c] = [await t.enqueue(), await t.enqueue(), await t.enqueue()];
    expect(ids(await t.get("/jobs?order=desc"))).toEqual([c.id, b.id, a.id]);
    const page1 = await t.get("/jobs?order=desc&limit=2");
    expect(ids(page1)).toEqual([c.id, b.id]);
    const page2 = await t.get(page1.body.pages.next);
    expect(ids(page2)).toEqual([a.id]);
    expect(page2.body.pages.next).toBeNull();
  });

  it("fact 104: from is an exclusive cursor", async (ctx) => {
    const t = await target(ctx);
    const [a, b, c] = [await t.enqueue(), await t.enqueue(), await t.enqueue()];
    const r = await t.get(`/jobs?from=${a.id}`);
    expect(r.status).toBe(200);
    expect(ids(r)).toEqual([b.id, c.id]);
  });

  it("fact 105: an unknown order is 400 invalid query parameters", async (ctx) => {
    const t = await target(ctx);
    const r = await t.get("/jobs?order=sideways");
    expect(r.status).toBe(400);
    expect(r.body.error).toContain("invalid query parameters");
  });

  it("fact 106: limit must be between 1 and 2000", async (ctx) => {
    const t = await target(ctx);
    for (const limit of ["0", "2001"]) {
      const r = await t.get(`/jobs?limit=${limit}`);
      expect(r.status, limit).toBe(400);
      expect(r.body, limit).toEqual({ error: "limit must be between 1 and 2000" });
    }
    expect((await t.get("/jobs?limit=2000")).status).toBe(200);
    const abc = await t.get("/jobs?limit=abc");
    expect(abc.status).toBe(400);
    expect(abc.body.error).toContain("invalid query parameters");
  });

  it("fact 107: an unknown status is 400 invalid query parameters", async (ctx) => {
    const t = await target(ctx);
    const r = await t.get("/jobs?status=banana");
    expect(r.status).toBe(400);
    expect(r.body.error).toContain("invalid query parameters");
    expect(r.body.error).toContain("unknown status: banana");
  });

  it("fact 108: a status set is carried into the next link", async (ctx) => {
    const t = await target(ctx);
    for (let i = 0; i < 3; i++) await t.enqueue();
    const r = await t.get("/jobs?status=ready,in_flight&limit=2");
    expect(r.status).toBe(200);
    expect(r.body.pages.next).toContain("status=ready,in_flight");
  });

  it("fact 109: a trailing comma in a set changes nothing", async (ctx) => {
    const t = await target(ctx);
    for (const queue of ["emails", "webhooks", "other"]) await t.enqueue({ queue });
    const withComma = await t.get("/jobs?queue=emails,webhooks,");
    const without = await t.get("/jobs?queue=emails,webhooks");
    expect(withComma.status).toBe(200);
    expect(withComma.body.jobs.map((j: any) => j.queue)).toEqual(["emails", "webhooks"]);
    expect(withComma.body).toEqual(without.body);
  });

  it("fact 110: id filters are format-checked", async (ctx) => {
    const t = await target(ctx);
    await t.enqueue();
    const bad = await t.get("/jobs?id=not-a-valid-id");
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'invalid job ID: "not-a-valid-id"' });
    const zeros = await t.get("/jobs?id=0000000000000000000000000");
    expect(zeros.status).toBe(200);
    expect(zeros.body.jobs).toEqual([]);
  });

  it("fact 111: priority ranges are inclusive", async (ctx) => {
    const t = await target(ctx);
    await enqueuePriorities(t, [0, 5, 50, 100, 200]);
    expect(priorities(await t.get("/jobs?priority=5..100"))).toEqual([5, 50, 100]);
    expect(priorities(await t.get("/jobs?priority=50.."))).toEqual([50, 100, 200]);
  });

  it("fact 112: a reversed or non-numeric range is 400", async (ctx) => {
    const t = await target(ctx);
    const reversed = await t.get("/jobs?priority=200..100");
    expect(reversed.status).toBe(400);
    expect(reversed.body.error).toContain("invalid query");
    expect(reversed.body.error).toContain("range lower bound exceeds upper bound");
    expect((await t.get("/jobs?priority=abc")).status).toBe(400);
  });

  it("fact 113: ranges are carried into the next link", async (ctx) => {
    const t = await target(ctx);
    await enqueuePriorities(t, [50, 50, 50]);
    const byPriority = await t.get("/jobs?priority=50&limit=2");
    expect(byPriority.body.pages.next).toContain("priority=50");
    const hi = Date.now() + 3_600_000;
    const byReadyAt = await t.get(`/jobs?ready_at=1..${hi}&limit=2`);
    expect(byReadyAt.body.jobs).toHaveLength(2);
    expect(byReadyAt.body.pages.next).toContain(`ready_at=1..${hi}`);
  });

  it("fact 114: attempts=1.. lists only jobs that failed", async (ctx) => {
    const t = await target(ctx);
    await t.enqueue({ queue: "calm" });
    const failing = await t.enqueue({ queue: "failing" });
    await t.claim(1, "&queue=failing");
    await t.post(`/jobs/${failing.id}/failure`, { message: "x", retry_at: Date.now() + 60_000 });
    const r = await t.get("/jobs?attempts=1..");
    expect(r.status).toBe(200);
    expect(ids(r)).toEqual([failing.id]);
  });

  it("fact 115: filter runs jq on the payload", async (ctx) => {
    const t = await target(ctx);
    const universe = await t.enqueue({ payload: { greet: "Universe" } });
    await t.enqueue({ payload: { greet: "Hello" } });
    const unicorn = await t.enqueue({ payload: { greet: "Unicorn" } });
    await t.enqueue({ payload: [1] });
    const r = await t.get("/jobs?filter=.greet%20%7C%20startswith(%22Uni%22)");
    expect(r.status).toBe(200);
    expect(ids(r)).toEqual([universe.id, unicorn.id]);
    expect(r.body.pages.self).toContain("filter=.greet%20%7C%20startswith%28%22Uni%22%29");
  });

  it("fact 116: a filter that does not compile is 400 invalid filter", async (ctx) => {
    const t = await target(ctx);
    await t.enqueue();
    const r = await t.del("/jobs?filter=.x%20====");
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^invalid filter: /);
    expect((await t.get("/jobs/count")).body).toEqual({ count: 1 });
  });
});

describe("GET /jobs/count and /queues", () => {
  it("fact 117: count honours the filters", async (ctx) => {
    const t = await target(ctx);
    const empty = await t.get("/jobs/count");
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ count: 0 });
    for (let i = 0; i < 3; i++) await t.enqueue({ queue: "three" });
    await t.claim(1, "&queue=three");
    expect((await t.get("/jobs/count?status=ready")).body).toEqual({ count: 2 });
    await enqueuePriorities(t, [0, 5, 50, 100, 200]);
    expect((await t.get("/jobs/count?priority=5..100")).body).toEqual({ count: 3 });
  });

  it("fact 118: count rejects unknown parameters, limit included", async (ctx) => {
    const t = await target(ctx);
    const bogus = await t.get("/jobs/count?bogus=true");
    expect(bogus.status).toBe(400);
    expect(bogus.body.error).toContain("invalid query parameters");
    const limit = await t.get("/jobs/count?limit=5");
    expect(limit.status).toBe(400);
    expect(limit.body.error).toContain("invalid query parameters");
  });

  it("fact 119: /queues lists distinct queue names, sorted", async (ctx) => {
    const t = await target(ctx);
    const empty = await t.get("/queues");
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ queues: [] });
    for (const queue of ["webhooks", "payments/refunds", "payments/invoices", "webhooks"]) await t.enqueue({ queue });
    expect((await t.get("/queues")).body).toEqual({ queues: ["payments/invoices", "payments/refunds", "webhooks"] });
  });
});
