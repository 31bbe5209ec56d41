/** The lazy query's map, filter, forEach, last, pages, updateOne and deleteOne, against the test server. */
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import { defineJob, type Job, type JobInfo, type Sequence, ZizqArgumentError, ZizqMultipleMatchesError } from "../../../src/index.ts";
import { rejection, type Setup, setup } from "./harness.ts";

const Num = defineJob<{ n: number }>({ type: "num", queue: "nums" });

let s: Setup;
let ids: string[];
beforeEach(async () => {
  s = await setup();
  ids = (await s.client.enqueueBulk([1, 2, 3, 4, 5].map((n) => Num.with({ n })))).map((job) => job.id);
  s.calls.length = 0;
});
afterEach(async () => {
  await s.close();
});

const listings = () => s.calls.filter((call) => call.method === "GET" && call.path.startsWith("/jobs?"));

describe("map, filter, forEach", () => {
  it("are lazy: nothing is sent until iterated", async () => {
    const doubled = s.client.jobs(Num).map((job) => job.payload.n * 2);
    const odd = s.client.jobs(Num).filter((job) => job.payload.n % 2 === 1);
    expect(s.calls).toEqual([]);
    expect(await doubled.toArray()).toEqual([2, 4, 6, 8, 10]);
    expect((await odd.toArray()).map((job) => job.payload.n)).toEqual([1, 3, 5]);
  });

  it("chain, await async callbacks in order, and pass the index", async () => {
    const seen: string[] = [];
    const result = await s.client
      .jobs(Num)
      .pageSize(2)
      .filter(async (job) => job.payload.n > 1)
      .map(async (job, index) => `${index}:${job.payload.n}`)
      .toArray();
    expect(result).toEqual(["0:2", "1:3", "2:4", "3:5"]);
    await s.client.jobs(Num).forEach(async (job, index) => {
      await Promise.resolve();
      seen.push(`${index}:${job.payload.n}`);
    });
    expect(seen).toEqual(["0:1", "1:2", "2:3", "3:4", "4:5"]);
  });

  it("stop fetching once the consumer stops", async () => {
    const first = await s.client.jobs(Num).pageSize(2).map((job) => job.payload.n).first();
    expect(first).toBe(1);
    expect(listings()).toHaveLength(1);
  });

  it("a type guard narrows the filtered jobs", () => {
    const big = (job: Job<{ n: number }>): job is Job<{ n: 5 }> => job.payload.n === 5;
    expectTypeOf(s.client.jobs(Num).filter(big)).toEqualTypeOf<Sequence<Job<{ n: 5 }>>>();
    expectTypeOf(s.client.jobs(Num).map((job) => job.payload.n)).toEqualTypeOf<Sequence<number>>();
    expectTypeOf(s.client.jobs(Num).map(async (job) => job.id)).toEqualTypeOf<Sequence<string>>();
  });
});

describe("last", () => {
  it("is the last job in the query's order, in one request", async () => {
    expect((await s.client.jobs(Num).last())?.id).toBe(ids[4]);
    expect((await s.client.jobs(Num).order("desc").last())?.id).toBe(ids[0]);
    expect((await s.client.jobs(Num, { payload: { n: 9 } }).last())).toBeUndefined();
    expect(listings().map((call) => new URL(call.path, "http://x").searchParams.get("order"))).toEqual(["desc", "asc", "desc"]);
  });
});

describe("pages", () => {
  it("yields each page as the server returns it, following next links", async () => {
    const pages: number[][] = [];
    for await (const page of s.client.jobs(Num).pageSize(2).pages()) pages.push(page.map((job) => job.payload.n));
    expect(pages).toEqual([[1, 2], [3, 4], [5]]);
    expect(listings()).toHaveLength(3);
    expect(await s.client.jobs(Num, { payload: { n: 9 } }).pages().toArray()).toEqual([]);
  });

  it("checks the query before any request", async () => {
    expect(await rejection(s.client.jobs(Num).pageSize(0).pages().toArray())).toBeInstanceOf(ZizqArgumentError);
    expect(s.calls).toEqual([]);
  });
});

describe("updateOne and deleteOne", () => {
  it("change the one matching job and answer it", async () => {
    const updated = await s.client.jobs(Num, { payload: { n: 3 } }).updateOne({ priority: 9 });
    expectTypeOf(updated).toEqualTypeOf<JobInfo | undefined>();
    expect(updated).toMatchObject({ id: ids[2], priority: 9 });
    const deleted = await s.client.jobs(Num, { payload: { n: 4 } }).deleteOne();
    expectTypeOf(deleted).toEqualTypeOf<Job<{ n: number }> | undefined>();
    expect(deleted).toMatchObject({ id: ids[3], payload: { n: 4 } });
    expect((await s.client.jobs(Num).map((job) => `${job.payload.n}/${job.priority}`).toArray())).toEqual(["1/32768", "2/32768", "3/9", "5/32768"]);
  });

  it("answer undefined when no job matches, changing nothing", async () => {
    expect(await s.client.jobs(Num, { payload: { n: 9 } }).updateOne({ priority: 9 })).toBeUndefined();
    expect(await s.client.jobs(Num, { payload: { n: 9 } }).deleteOne()).toBeUndefined();
    expect(await s.client.jobs(Num).count()).toBe(5);
    expect(await s.client.jobs({ priority: 9 }).count()).toBe(0);
  });

  it("refuse with ZizqMultipleMatchesError when more than one job matches, changing nothing", async () => {
    for (const call of [() => s.client.jobs(Num).updateOne({ priority: 9 }), () => s.client.jobs(Num, { filter: ".n > 3" }).deleteOne()]) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(ZizqMultipleMatchesError);
    }
    const error = (await rejection(s.client.jobs(Num).updateOne({ priority: 9 }))) as ZizqMultipleMatchesError;
    expect(error.operation).toBe("updateOne");
    expect(error.ids).toEqual([ids[0], ids[1]]);
    expect(error.message).toContain("nothing was changed");
    expect(await s.client.jobs(Num).count()).toBe(5);
    expect(await s.client.jobs({ priority: 9 }).count()).toBe(0);
    expect(s.calls.every((call) => call.method === "GET")).toBe(true);
  });

  it("a bad patch is refused before any request", async () => {
    expect(await rejection(s.client.jobs(Num, { payload: { n: 1 } }).updateOne({ priority: -1 }))).toMatchObject({ field: "patch.priority" });
    expect(s.calls).toEqual([]);
  });

  it("a job deleted between finding and changing it counts as none found", async () => {
    const query = s.client.jobs(Num, { payload: { n: 2 } });
    const racing = s.clientWith({
      fetch: async (input, init) => {
        const request = new Request(input, init);
        // The job goes away just after the listing found it.
        if (request.method === "DELETE") await s.client.deleteJob(ids[1] as string);
        return s.server.fetch(request);
      },
    });
    expect(await racing.jobs(Num, { payload: { n: 2 } }).deleteOne()).toBeUndefined();
    expect(await query.count()).toBe(0);
  });
});
