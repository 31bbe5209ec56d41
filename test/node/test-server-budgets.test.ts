/**
 * Budget dispatch choices the digest leaves open, pinned for the test server (the contract
 * suite has no fact for them; see zizq-protocol-0.7.md §8.2 and §11.9).
 */
import { describe, expect, it } from "vitest";
import { target } from "../contract/harness.ts";

const mutex = { allocation: 1, strategy: { type: "while_in_flight" } };

describe("test server budget dispatch (our choices where the digest is unsure)", () => {
  it("a budget's head is judged among the jobs the stream's queue filter sees (a parked job on another queue holds nothing back)", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    expect((await t.post("/budgets/k", { allocation: 2, strategy: { type: "while_in_flight" } })).status).toBe(201);
    const reports = t.stream("?queue=reports&prefetch=1");
    const holder = await t.enqueue({ queue: "reports", budgets: [{ key: "k" }] });
    expect((await (await reports).nextJob()).id).toBe(holder.id);
    // Head of k: a reports job costing 2 (1 token is left); behind it an emails job costing 1.
    await t.enqueue({ queue: "reports", priority: 0, budgets: [{ key: "k", cost: 2 }] });
    const email = await t.enqueue({ queue: "emails", priority: 9, budgets: [{ key: "k" }] });
    const emails = await t.stream("?queue=emails&prefetch=0");
    expect((await emails.nextJob()).id).toBe(email.id);
  });

  it("the best affordable job goes: an unaffordable budget head does not let a worse budgeted job pass an unthrottled one", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    for (const key of ["x", "y"]) expect((await t.post(`/budgets/${key}`, mutex)).status).toBe(201);
    const hold = await t.stream("?queue=hold&prefetch=1");
    const holder = await t.enqueue({ queue: "hold", budgets: [{ key: "x" }] });
    expect((await hold.nextJob()).id).toBe(holder.id);
    await t.enqueue({ priority: 0, budgets: [{ key: "x" }] });
    const y = await t.enqueue({ priority: 20, budgets: [{ key: "y" }] });
    const plain = await t.enqueue({ priority: 10 });
    const s = await t.stream("?queue=q&prefetch=0");
    expect((await s.jobs(2)).map((j) => j.id)).toEqual([plain.id, y.id]);
  });

  it("a parked job goes when its drip comes due on the real clock, with no request or tick to wake the server", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const pace = { allocation: 1, strategy: { type: "time_based", duration_ms: 200, burst: 1 } };
    expect((await t.post("/budgets/pace", pace)).status).toBe(201);
    const first = await t.enqueue({ budgets: [{ key: "pace" }] });
    const second = await t.enqueue({ budgets: [{ key: "pace" }] });
    const s = await t.stream("?prefetch=0");
    expect((await s.jobs(2, 5000)).map((j) => j.id)).toEqual([first.id, second.id]);
  });

  it("a cron entry refused after its budgets were checked creates none of them", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const entry = (key: string) => ({
      name: "e",
      expression: "0 9 * * *",
      job: { type: "t", queue: "q", payload: null, budgets: [{ key, create_with: mutex }] },
    });
    expect((await t.post("/crons/g/entries", entry("first"))).status).toBe(201);
    expect((await t.get("/budgets/first")).status).toBe(200);
    const again = await t.post("/crons/g/entries", entry("second"));
    expect(again.status).toBe(409);
    expect((await t.get("/budgets/second")).status).toBe(404);
  });

  it("deleting a parked head that its budget cannot pay lets the cheaper job behind it go at once", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    expect((await t.post("/budgets/k", { allocation: 2, strategy: { type: "while_in_flight" } })).status).toBe(201);
    const hold = await t.stream("?queue=hold&prefetch=1");
    const holder = await t.enqueue({ queue: "hold", budgets: [{ key: "k" }] });
    expect((await hold.nextJob()).id).toBe(holder.id);
    const head = await t.enqueue({ priority: 0, budgets: [{ key: "k", cost: 2 }] });
    const cheap = await t.enqueue({ priority: 9, budgets: [{ key: "k" }] });
    const s = await t.stream("?queue=q&prefetch=0");
    await s.expectNoJob();
    expect((await t.del(`/jobs/${head.id}`)).status).toBe(204);
    expect((await s.nextJob()).id).toBe(cheap.id);
  });

  it.for([
    ["while_in_flight 1", { allocation: 1, strategy: { type: "while_in_flight" } }],
    ["time_based 1 per hour", { allocation: 1, strategy: { type: "time_based", duration_ms: 3_600_000 } }],
  ] as const)("a stream idle beside 10,000 jobs on an exhausted %s budget does no work: no polling", async ([, policy], ctx) => {
    // Every claim, refill and timer reads the server's clock. Idle, only the server's once-a-second
    // timer may (a handful of reads per tick); a stream polling every 10 ms read it ~100 times.
    let clockReads = 0;
    const t = await target(ctx, {
      license: "pro",
      now: () => {
        clockReads++;
        return Date.UTC(2026, 0, 5, 12);
      },
    });
    expect((await t.post("/budgets/k", policy)).status).toBe(201);
    const jobs = Array.from({ length: 1_000 }, () => ({ type: "t", queue: "q", payload: null, budgets: [{ key: "k" }] }));
    for (let i = 0; i < 10; i++) expect((await t.post("/jobs/bulk", { jobs })).status).toBe(201);
    const s = await t.stream("?prefetch=0");
    await s.nextJob();
    await s.expectNoJob(100);
    clockReads = 0;
    await s.expectNoJob(500);
    expect(clockReads).toBeLessThan(20);
    expect((await t.get("/jobs/count?status=ready")).body).toEqual({ count: 9_999 });
  });
});
