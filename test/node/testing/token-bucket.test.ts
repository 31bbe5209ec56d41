import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../../src/testing/store/bucket.ts";

const T0 = 1_000_000;

/** A bucket of `allocation` per `durationMs` emptied at T0, so the drip alone fills it. */
function empty(allocation: number, durationMs: number, capacity = allocation): TokenBucket {
  const bucket = new TokenBucket({ allocation, durationMs, capacity }, T0);
  bucket.spend(capacity, T0);
  return bucket;
}

describe("TokenBucket (time_based budgets on the injected clock)", () => {
  it("starts full: at capacity, the burst when set", () => {
    expect(new TokenBucket({ allocation: 10, durationMs: 60_000, capacity: 10 }, T0).available(T0)).toBe(10);
    expect(new TokenBucket({ allocation: 10, durationMs: 60_000, capacity: 50 }, T0).available(T0)).toBe(50);
  });

  it("drips continuously: 100 per 5 minutes gives 20 after 1 minute and 80 after 4", () => {
    const bucket = empty(100, 300_000);
    expect(bucket.available(T0 + 60_000)).toBe(20);
    expect(bucket.available(T0 + 240_000)).toBe(80);
  });

  it("counts whole tokens and carries the fraction exactly across reads", () => {
    const bucket = empty(3, 10);
    // 3 tokens per 10 ms: 0.9 after 3 ms, 1.2 after 4 ms, 3 after 10 ms.
    expect(bucket.available(T0 + 3)).toBe(0);
    expect(bucket.available(T0 + 4)).toBe(1);
    expect(bucket.available(T0 + 7)).toBe(2);
    expect(bucket.available(T0 + 10)).toBe(3);
  });

  it("says exactly when a cost will be affordable", () => {
    const bucket = empty(2, 60_000);
    expect(bucket.readyAt(1, T0)).toBe(T0 + 30_000);
    expect(bucket.readyAt(2, T0 + 10_000)).toBe(T0 + 60_000);
    expect(bucket.available(T0 + 29_999)).toBe(0);
    expect(bucket.available(T0 + 30_000)).toBe(1);
    expect(bucket.readyAt(1, T0 + 30_000)).toBe(T0 + 30_000);
  });

  it("never holds more than capacity, and time spent full banks nothing", () => {
    const bucket = new TokenBucket({ allocation: 1, durationMs: 1000, capacity: 1 }, T0);
    expect(bucket.available(T0 + 3_600_000)).toBe(1);
    bucket.spend(1, T0 + 3_600_000);
    // A whole period from the spend, not from when it was last refilled.
    expect(bucket.readyAt(1, T0 + 3_600_000)).toBe(T0 + 3_601_000);
  });

  it("burst: 1 paces evenly with no opening spike", () => {
    const bucket = new TokenBucket({ allocation: 60, durationMs: 60_000, capacity: 1 }, T0);
    const dispatches: number[] = [];
    for (let now = T0; dispatches.length < 4; now += 250) {
      if (bucket.available(now) >= 1) {
        bucket.spend(1, now);
        dispatches.push(now - T0);
      }
    }
    expect(dispatches).toEqual([0, 1000, 2000, 3000]);
  });

  it("a clock that steps back drains nothing", () => {
    const bucket = empty(10, 1000);
    expect(bucket.available(T0 + 500)).toBe(5);
    expect(bucket.available(T0 - 10_000)).toBe(5);
    expect(bucket.available(T0 - 9_900)).toBe(6);
  });

  it("a clock moved far ahead does not overflow: the bucket is just full", () => {
    const bucket = empty(1_000_000, 1, 1_000_000);
    expect(bucket.available(T0 + 1e13)).toBe(1_000_000);
    const slow = empty(1, Number.MAX_SAFE_INTEGER);
    expect(slow.available(T0 + 1e13)).toBe(0);
    expect(slow.readyAt(1, T0 + 1e13)).toBe(T0 + Number.MAX_SAFE_INTEGER);
  });

  it("retune: a new rate keeps the progress to the next token, a new period discards it", () => {
    const sameRatePeriod = empty(1, 1000);
    expect(sameRatePeriod.available(T0 + 600)).toBe(0);
    sameRatePeriod.retune({ allocation: 2, durationMs: 1000, capacity: 2 }, T0 + 600);
    // 600 token-ms kept; at 2 per second the next 400 token-ms take 200 ms.
    expect(sameRatePeriod.readyAt(1, T0 + 600)).toBe(T0 + 800);

    const newPeriod = empty(1, 1000);
    newPeriod.available(T0 + 600);
    newPeriod.retune({ allocation: 1, durationMs: 2000, capacity: 1 }, T0 + 600);
    expect(newPeriod.readyAt(1, T0 + 600)).toBe(T0 + 2600);
  });

  it("retune: tightening caps the tokens at once", () => {
    const bucket = new TokenBucket({ allocation: 10, durationMs: 1000, capacity: 10 }, T0);
    bucket.retune({ allocation: 3, durationMs: 1000, capacity: 3 }, T0);
    expect(bucket.available(T0)).toBe(3);
  });
});
