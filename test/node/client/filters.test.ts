/** Job filters: empty sets send nothing, bad filters are refused before sending, ranges and jq match. */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defineJob, type JobFilter, ZizqArgumentError } from "../../../src/index.ts";
import { MODES, nextJob, rejection, type Setup, setup } from "./harness.ts";

const Num = defineJob<{ n: number }>({ type: "num", queue: "nums" });

describe("filter safety (in-process)", () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup();
    await s.client.enqueueBulk([1, 2, 3].map((n) => Num.with({ n })));
    s.calls.length = 0;
  });
  afterEach(async () => {
    await s.close();
  });

  const empties: [string, JobFilter][] = [
    ["id", { id: [] }],
    ["queue", { queue: [] }],
    ["type", { type: [] }],
    ["status", { status: [] }],
    ["queue with others", { queue: "nums", status: ["ready"], type: [] }],
  ];

  it.each(empties)("an empty %s set matches nothing and sends nothing", async (_, filter) => {
    const query = s.client.jobs(filter);
    expect(await query.count()).toBe(0);
    expect(await query.toArray()).toEqual([]);
    expect(await query.first()).toBeUndefined();
    const seen = [];
    for await (const job of query.pageSize(1)) seen.push(job);
    expect(seen).toEqual([]);
    expect(await query.updateAll({ priority: 1 })).toBe(0);
    expect(await query.deleteAll()).toBe(0);
    expect(s.calls).toEqual([]);
    // Nothing was changed either.
    expect(await s.client.jobs({ priority: 1 }).count()).toBe(0);
    expect(await s.client.jobs().count()).toBe(3);
  });

  it("an unknown filter key is a ZizqArgumentError at run time and a type error at compile time", async () => {
    // @ts-expect-error `staus` is not a filter key
    const query = s.client.jobs({ staus: "ready" });
    for (const run of [() => query.count(), () => query.toArray(), () => query.deleteAll(), () => query.updateAll({ priority: 1 })]) {
      const error = await rejection(run());
      expect(error).toBeInstanceOf(ZizqArgumentError);
      expect((error as ZizqArgumentError).field).toBe("filter.staus");
    }
    // @ts-expect-error `limit` is not a filter key
    expect(await rejection(s.client.jobs({ limit: 5 }).count())).toMatchObject({ field: "filter.limit" });
    expect(s.calls).toEqual([]);
    expect(await s.client.jobs().count()).toBe(3);
  });

  it("a filter key named like a query option (pageSize, order) is refused too, not taken as the query's state", async () => {
    // @ts-expect-error `pageSize` is a method of the query, not a filter key
    const query = s.client.jobs({ queue: "nums", pageSize: 10 });
    const error = await rejection(query.count());
    expect(error).toBeInstanceOf(ZizqArgumentError);
    expect((error as ZizqArgumentError).field).toBe("filter.pageSize");
    // @ts-expect-error `order` is a method of the query, not a filter key
    expect(await rejection(s.client.jobs({ order: "desc" }).count())).toBeInstanceOf(ZizqArgumentError);
    expect(s.calls).toEqual([]);
  });

  const bad: [string, string, JobFilter][] = [
    ["a bad status", "filter.status[1]", { status: ["ready", "banana" as never] }],
    ["a bad single status", "filter.status[0]", { status: "done" as never }],
    ["a bad id", "filter.id[0]", { id: "not-a-valid-id" }],
    ["an upper-case id", "filter.id[1]", { id: ["0000000000000000000000000", "03FR1JKPCSIPBSCKQJ0Y6PGR7"] }],
    ["a queue with a comma", "filter.queue[0]", { queue: "a,b" }],
    ["a type with a comma", "filter.type[1]", { type: ["ok", "x,y"] }],
    ["an empty queue name", "filter.queue[0]", { queue: [""] }],
    ["a reserved character", "filter.queue[0]", { queue: "emails*" }],
    ["priority min > max", "filter.priority", { priority: { min: 100, max: 5 } }],
    ["attempts min > max", "filter.attempts", { attempts: { min: 3, max: 1 } }],
    ["readyAt min > max", "filter.readyAt", { readyAt: { min: new Date(2_000), max: new Date(1_000) } }],
    ["a priority over u16", "filter.priority.value", { priority: 70_000 }],
    ["a negative priority", "filter.priority.min", { priority: { min: -1 } }],
    ["a fractional attempts", "filter.attempts.max", { attempts: { max: 1.5 } }],
    ["a range with another key", "filter.priority.from", { priority: { from: 1 } as never }],
    ["an invalid Date", "filter.readyAt.value", { readyAt: new Date(Number.NaN) }],
    ["an empty jq filter", "filter.filter", { filter: "  " }],
  ];

  it.each(bad)("%s is a ZizqArgumentError naming %s, and nothing is sent", async (_, field, filter) => {
    for (const run of [() => s.client.jobs(filter).count(), () => s.client.jobs(filter).toArray(), () => s.client.jobs(filter).deleteAll()]) {
      const error = await rejection(run());
      expect(error).toBeInstanceOf(ZizqArgumentError);
      expect((error as ZizqArgumentError).field).toBe(field);
    }
    expect(s.calls).toEqual([]);
    expect(await s.client.jobs().count()).toBe(3);
  });

  it("a bad value is refused even when another field is an empty set", async () => {
    const error = await rejection(s.client.jobs({ status: [], priority: { min: 100, max: 5 } }).count());
    expect(error).toBeInstanceOf(ZizqArgumentError);
    expect(await rejection(s.client.jobs({ queue: [], id: "bad" }).count())).toBeInstanceOf(ZizqArgumentError);
    expect(s.calls).toEqual([]);
  });

  it("a bad patch is refused before the empty-set shortcut and before sending", async () => {
    expect(await rejection(s.client.jobs({ queue: [] }).updateAll({ priority: -1 }))).toMatchObject({ field: "patch.priority" });
    expect(await rejection(s.client.jobs({ queue: "nums" }).updateAll({ queue: "a,b" }))).toMatchObject({ field: "patch.queue" });
    expect(s.calls).toEqual([]);
  });
});

describe.each(MODES)("filters that match (%s)", (mode) => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup({ mode });
  });
  afterEach(async () => {
    await s.close();
  });

  it("a jq filter with `+` matches correctly (the `+` is percent-encoded)", async () => {
    await s.client.enqueueBulk([1, 2, 3].map((n) => Num.with({ n })));
    const matched = await s.client.jobs<{ n: number }>({ filter: ".n + 1 == 3" }).toArray();
    expect(matched.map((job) => job.payload.n)).toEqual([2]);
    expect(await s.client.jobs({ filter: ".n + 1 == 3" }).count()).toBe(1);
    const sent = s.calls.find((call) => call.path.startsWith("/jobs?"));
    expect(sent?.path).toContain("%2B");
    expect(await s.client.jobs({ filter: '.n | tostring | . + "x" == "3x"' }).count()).toBe(1);
    expect(await s.client.jobs({ filter: ".n >= 2 and .n < 3 or .n == 1" }).count()).toBe(2);
    expect(await s.client.jobs({ filter: ".n + 1 == 3" }).deleteAll()).toBe(1);
    expect((await s.client.jobs<{ n: number }>().toArray()).map((job) => job.payload.n)).toEqual([1, 3]);
  });

  it("priority ranges: exact, closed, open at either end", async () => {
    await s.client.enqueueBulk([0, 5, 50, 100, 200].map((priority) => Num.with({ n: priority }, { priority })));
    const priorities = async (filter: JobFilter) => (await s.client.jobs(filter).toArray()).map((job) => job.priority);
    expect(await priorities({ priority: 50 })).toEqual([50]);
    expect(await priorities({ priority: { min: 5, max: 100 } })).toEqual([5, 50, 100]);
    expect(await priorities({ priority: { min: 50 } })).toEqual([50, 100, 200]);
    expect(await priorities({ priority: { max: 5 } })).toEqual([0, 5]);
    expect(await priorities({ priority: {} })).toEqual([0, 5, 50, 100, 200]);
    expect(await s.client.jobs({ priority: { min: 5, max: 100 } }).count()).toBe(3);
    expect(s.calls.some((call) => call.path === "/jobs/count?priority=5..100")).toBe(true);
  });

  it("attempts ranges and status sets", async () => {
    const jobs = await s.client.enqueueBulk([1, 2, 3].map((n) => Num.with({ n })));
    const reader = (await s.client.take({ prefetch: 1 })).getReader();
    try {
      const taken = await nextJob(reader);
      expect(taken.id).toBe(jobs[0]?.id);
      await s.client.fail(taken.id, { message: "boom", retryAt: Date.now() + 3_600_000 });
      const next = await nextJob(reader);
      expect(await s.client.jobs({ attempts: { min: 1 } }).count()).toBe(1);
      expect((await s.client.jobs({ attempts: 0 }).toArray()).map((job) => job.id)).toEqual([jobs[1]?.id, jobs[2]?.id]);
      expect(await s.client.jobs({ attempts: { max: 0 }, status: ["ready", "in_flight"] }).count()).toBe(2);
      expect((await s.client.jobs({ status: "in_flight" }).first())?.id).toBe(next.id);
      expect((await s.client.jobs({ status: ["scheduled"] }).first())?.id).toBe(taken.id);
      expect(await s.client.jobs({ status: ["completed", "dead"] }).count()).toBe(0);
    } finally {
      await reader.cancel();
    }
  });
});

describe("readyAt ranges with Dates (injected clocks)", () => {
  it("matches jobs by when they become ready", async () => {
    const T = Date.UTC(2030, 0, 1);
    const s = await setup({ server: { now: () => T }, client: { now: () => T } });
    try {
      await s.client.enqueueBulk([
        Num.with({ n: 0 }),
        Num.with({ n: 1 }, { delay: "1m" }),
        Num.with({ n: 2 }, { readyAt: new Date(T + 120_000) }),
        Num.with({ n: 3 }, { delay: "1h" }),
      ]);
      const ns = async (filter: JobFilter) => (await s.client.jobs<{ n: number }>(filter).toArray()).map((job) => job.payload.n);
      expect(await ns({ readyAt: new Date(T + 60_000) })).toEqual([1]);
      expect(await ns({ readyAt: { min: new Date(T + 1), max: new Date(T + 120_000) } })).toEqual([1, 2]);
      expect(await ns({ readyAt: { max: T } })).toEqual([0]);
      expect(await ns({ readyAt: { min: new Date(T + 120_000) } })).toEqual([2, 3]);
      expect(s.calls.some((call) => call.path.includes(`ready_at=${T + 1}..${T + 120_000}`))).toBe(true);
    } finally {
      await s.close();
    }
  });
});

describe("priority range property (fast-check)", () => {
  it("count and toArray agree with a local filter for any priorities and any range", async () => {
    const s = await setup();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 0, maxLength: 8 }),
          fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
          fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
          async (priorities, a, b) => {
            const [min, max] = a !== undefined && b !== undefined && a > b ? [b, a] : [a, b];
            await s.client.jobs().deleteAll();
            await s.client.enqueueBulk(priorities.map((priority, n) => Num.with({ n }, { priority })));
            const range: { min?: number; max?: number } = {};
            if (min !== undefined) range.min = min;
            if (max !== undefined) range.max = max;
            const expected = priorities.filter((p) => (min === undefined || p >= min) && (max === undefined || p <= max)).length;
            expect(await s.client.jobs({ priority: range }).count()).toBe(expected);
            expect(await s.client.jobs({ priority: range }).pageSize(3).toArray()).toHaveLength(expected);
          },
        ),
        { numRuns: 30 },
      );
    } finally {
      await s.close();
    }
  });
});
