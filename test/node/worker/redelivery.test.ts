import { describe, expect, it } from "vitest";
import type { Job } from "../../../src/types/job.ts";
import { RedeliveryGuard } from "../../../src/worker/redelivery.ts";

const job = (id: string): Job<unknown> => ({ id, type: "t", queue: "q", priority: 0, status: "in_flight", readyAt: 0, attempts: 0, budgets: [], payload: {} });

describe("RedeliveryGuard", () => {
  it("lets every job run while nothing is remembered", () => {
    const guard = new RedeliveryGuard<string>();
    expect(guard.check(job("a"), "conn")).toBeUndefined();
  });

  it("says ack for the first copy of a job completed here, then forgets it", () => {
    const guard = new RedeliveryGuard<string>();
    guard.completed("a");
    expect(guard.check(job("a"), "conn")).toBe("ack");
    expect(guard.check(job("a"), "conn")).toBeUndefined();
    expect(guard.check(job("b"), "conn")).toBeUndefined();
  });

  it("holds a copy of a job whose handler still runs for a broken stream, and hands it back when that handler ends", () => {
    const guard = new RedeliveryGuard<string>();
    guard.lostRun("a");
    const copy = job("a");
    expect(guard.check(copy, "new stream")).toBe("held");
    expect(guard.release("a")).toEqual({ job: copy, conn: "new stream" });
    expect(guard.release("a")).toBeUndefined();
    expect(guard.check(job("a"), "new stream")).toBeUndefined();
  });

  it("releases nothing for a lost run no copy came for", () => {
    const guard = new RedeliveryGuard<string>();
    guard.lostRun("a");
    expect(guard.release("a")).toBeUndefined();
    expect(guard.check(job("a"), "conn")).toBeUndefined();
  });

  it("forgets the oldest completed id past 10,000", () => {
    const guard = new RedeliveryGuard<string>();
    for (let i = 0; i <= 10_000; i++) guard.completed(`j${i}`);
    expect(guard.check(job("j0"), "conn")).toBeUndefined();
    expect(guard.check(job("j1"), "conn")).toBe("ack");
    expect(guard.check(job("j10000"), "conn")).toBe("ack");
  });
});
