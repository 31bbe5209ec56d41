/**
 * Budgets over the client against the in-memory Zizq 0.7 (in-process and over a socket, both
 * formats): budget CRUD with its exact wire bodies, bindings on enqueue and on every job read,
 * per-job and bulk rebinding, the `budgetsKey` filter, and the cron group timezone.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  Client,
  defineJob,
  type Job,
  ZizqBadRequestError,
  ZizqConflictError,
  ZizqDecodeError,
  ZizqNotFoundError,
  ZizqUnprocessableError,
} from "../../../src/index.ts";
import { createTestServer } from "../../../src/testing/index.ts";
import { expectFormat, MATRIX, nextJob, rejection, requestBody, type Setup, setup } from "./harness.ts";

const Call = defineJob<{ n: number }>({ type: "call_api", queue: "api" });
const Throttled = defineJob<{ n: number }>({ type: "call_api", queue: "api", budgets: [{ key: "api", cost: 2 }] });
const hourly = { type: "time_based", durationMs: 3_600_000 } as const;
const cap = { type: "while_in_flight" } as const;
const V07 = { license: "pro", version: "0.7.0" } as const;

/** The method, path and decoded body of every request after the first `from`. */
const sent = (s: Setup, from = 0) => s.calls.slice(from).map((call) => ({ method: call.method, path: call.path, body: requestBody(call) }));

describe.each(MATRIX)("client.budgets ($mode, $format)", ({ mode, format }) => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup({ mode, format, server: V07 });
  });
  afterEach(async () => {
    await s.close();
  });

  it("define, get, list, update (a merge patch), define with replace, and delete, with their wire bodies", async () => {
    const created = await s.client.budgets.define({ key: "image-service", allocation: 10_000, strategy: hourly });
    expect(created).toEqual({
      key: "image-service",
      allocation: 10_000,
      strategy: { type: "time_based", durationMs: 3_600_000 },
      createdAt: expect.any(Number),
      updatedAt: created.createdAt,
    });
    expect(sent(s).slice(1)).toEqual([
      { method: "POST", path: "/budgets/image-service", body: { allocation: 10_000, strategy: { type: "time_based", duration_ms: 3_600_000 } } },
    ]);
    await s.client.budgets.define({ key: "a/b", allocation: 3, strategy: cap });
    expect(s.calls.at(-1)?.path).toBe("/budgets/a%2Fb");

    expect(await s.client.budgets.get("a/b")).toMatchObject({ key: "a/b", allocation: 3, strategy: { type: "while_in_flight" } });
    expect((await s.client.budgets.list()).map((budget) => budget.key)).toEqual(["a/b", "image-service"]);

    let from = s.calls.length;
    const burst = await s.client.budgets.update("image-service", { strategy: { burst: 500 } });
    expect(burst.strategy).toEqual({ type: "time_based", durationMs: 3_600_000, burst: 500 });
    expect(burst.createdAt).toBe(created.createdAt);
    const cleared = await s.client.budgets.update("image-service", { strategy: { burst: null } });
    expect(cleared.strategy).toEqual({ type: "time_based", durationMs: 3_600_000 });
    const allocation = await s.client.budgets.update("image-service", { allocation: 50 });
    expect(allocation).toMatchObject({ allocation: 50, strategy: { type: "time_based", durationMs: 3_600_000 } });
    const switched = await s.client.budgets.update("image-service", { strategy: { type: "while_in_flight" } });
    expect(switched.strategy).toEqual({ type: "while_in_flight" });
    // Absent fields stay out of the patch; only a cleared burst is sent as null.
    expect(sent(s, from).map((call) => call.body)).toEqual([
      { strategy: { burst: 500 } },
      { strategy: { burst: null } },
      { allocation: 50 },
      { strategy: { type: "while_in_flight" } },
    ]);

    from = s.calls.length;
    const replaced = await s.client.budgets.define({ key: "image-service", allocation: 5, strategy: { type: "time_based", durationMs: 1000, burst: 2 }, replace: true });
    expect(replaced).toMatchObject({ allocation: 5, strategy: { type: "time_based", durationMs: 1000, burst: 2 }, createdAt: created.createdAt });
    expect(sent(s, from)).toEqual([
      { method: "PUT", path: "/budgets/image-service", body: { allocation: 5, strategy: { type: "time_based", duration_ms: 1000, burst: 2 } } },
    ]);

    await s.client.budgets.delete("image-service");
    expect(s.calls.at(-1)).toMatchObject({ method: "DELETE", status: 204 });
    expect(await rejection(s.client.budgets.get("image-service"))).toBeInstanceOf(ZizqNotFoundError);
    expect(await rejection(s.client.budgets.update("image-service", { allocation: 2 }))).toBeInstanceOf(ZizqNotFoundError);
    expect(await rejection(s.client.budgets.delete("image-service"))).toBeInstanceOf(ZizqNotFoundError);
    expectFormat(s.calls, format);
  });

  it("define of an existing key is a ZizqConflictError, sent once and not retried; ensure takes the same policy as success", async () => {
    const first = await s.client.budgets.ensure({ key: "stripe", allocation: 3, strategy: cap });
    const from = s.calls.length;
    const conflict = await rejection(s.client.budgets.define({ key: "stripe", allocation: 9, strategy: cap }));
    expect(conflict).toBeInstanceOf(ZizqConflictError);
    expect(conflict).toMatchObject({ status: 409, request: { method: "POST", path: "/budgets/stripe" } });
    expect(sent(s, from)).toHaveLength(1);
    expect((await s.client.budgets.get("stripe")).allocation).toBe(3);

    // Every replica of an app may declare its budgets at boot.
    expect(await s.client.budgets.ensure({ key: "stripe", allocation: 3, strategy: cap })).toEqual(first);
    const other = await rejection(s.client.budgets.ensure({ key: "stripe", allocation: 4, strategy: cap }));
    expect(other).toBeInstanceOf(ZizqConflictError);
    expect((other as Error).message).toBe('budget "stripe" exists with another policy: {"allocation":3,"strategy":{"type":"while_in_flight"}}');
    await s.client.budgets.define({ key: "api", allocation: 5, strategy: { type: "time_based", durationMs: 1000 } });
    const rate = await rejection(s.client.budgets.ensure({ key: "api", allocation: 5, strategy: { type: "time_based", durationMs: 2000 } }));
    expect((rate as Error).message).toBe('budget "api" exists with another policy: {"allocation":5,"strategy":{"type":"time_based","durationMs":1000}}');
    expect((await s.client.budgets.ensure({ key: "api", allocation: 5, strategy: { type: "time_based", durationMs: 1_000 } })).allocation).toBe(5);
  });

  it("enqueue: bindings go out in the server's terms, createWith creates the budget, and job.budgets is on every read", async () => {
    const job = await s.client.enqueue(Call, { n: 1 }, { budgets: [{ key: "api", cost: 2, createWith: { allocation: 5, strategy: cap } }, { key: "log" , createWith: { allocation: 100, strategy: { type: "time_based", durationMs: 60_000 } } }] });
    expect(requestBody(s.calls.at(-1)!)).toMatchObject({
      budgets: [
        { key: "api", cost: 2, create_with: { allocation: 5, strategy: { type: "while_in_flight" } } },
        { key: "log", create_with: { allocation: 100, strategy: { type: "time_based", duration_ms: 60_000 } } },
      ],
    });
    expect(job.budgets).toEqual([
      { key: "api", cost: 2 },
      { key: "log", cost: 1 },
    ]);
    expect(await s.client.budgets.get("api")).toMatchObject({ allocation: 5 });

    const plain = await s.client.enqueue(Call, { n: 2 });
    expect(plain.budgets).toEqual([]);
    expect(requestBody(s.calls.at(-1)!)).not.toHaveProperty("budgets");
    expect((await s.client.getJob(job.id)).budgets).toEqual(job.budgets);
    expect((await s.client.getJob(plain.id)).budgets).toEqual([]);
    const listed = await s.client.jobs().toArray();
    expect(listed.map((item) => item.budgets)).toEqual([job.budgets, []]);

    // Take frames carry them too.
    const reader = (await s.client.take({ prefetch: 2 })).getReader();
    const taken: Job[] = [await nextJob(reader), await nextJob(reader)];
    await reader.cancel();
    expect(Object.fromEntries(taken.map((item) => [item.id, item.budgets]))).toEqual({ [job.id]: job.budgets, [plain.id]: [] });
  });

  it("defineJob defaults: an enqueue's list replaces them, and [] enqueues unthrottled", async () => {
    await s.client.budgets.define({ key: "api", allocation: 10, strategy: cap });
    await s.client.budgets.define({ key: "other", allocation: 10, strategy: cap });
    expect((await s.client.enqueue(Throttled, { n: 1 })).budgets).toEqual([{ key: "api", cost: 2 }]);
    expect((await s.client.enqueue(Throttled, { n: 2 }, { budgets: [{ key: "other" }] })).budgets).toEqual([{ key: "other", cost: 1 }]);
    expect((await s.client.enqueue(Throttled, { n: 3 }, { budgets: [] })).budgets).toEqual([]);
    expect(requestBody(s.calls.at(-1)!)).not.toHaveProperty("budgets");
    const bulk = await s.client.enqueueBulk([Throttled.with({ n: 4 }), Call.with({ n: 5 })]);
    expect(bulk.map((job) => job.budgets)).toEqual([[{ key: "api", cost: 2 }], []]);
    const raw = await s.client.enqueueRaw({ type: "call_api", queue: "api", payload: { n: 6 }, budgets: [{ key: "api", cost: 3 }] });
    expect(raw.budgets).toEqual([{ key: "api", cost: 3 }]);
    const missing = await rejection(s.client.enqueue(Call, { n: 7 }, { budgets: [{ key: "ghost" }] }));
    expect(missing).toBeInstanceOf(ZizqUnprocessableError);
    expect(await s.client.jobs({ budgetsKey: "api" }).count()).toBe(3);
  });

  it("per job: bind, rebind, set the cost, unbind, clear and replace", async () => {
    await s.client.budgets.define({ key: "a", allocation: 10, strategy: cap });
    await s.client.budgets.define({ key: "b", allocation: 10, strategy: cap });
    const { id } = await s.client.enqueue(Call, { n: 1 });
    const from = s.calls.length;

    expect((await s.client.budgets.bindJob(id, { key: "a", cost: 2 })).budgets).toEqual([{ key: "a", cost: 2 }]);
    expect(await rejection(s.client.budgets.bindJob(id, { key: "a" }))).toBeInstanceOf(ZizqConflictError);
    expect((await s.client.budgets.rebindJob(id, { key: "a" })).budgets).toEqual([{ key: "a", cost: 1 }]);
    expect((await s.client.budgets.setJobCost(id, "a", 5)).budgets).toEqual([{ key: "a", cost: 5 }]);
    expect(await rejection(s.client.budgets.setJobCost(id, "b", 2))).toBeInstanceOf(ZizqNotFoundError);
    const replaced = await s.client.budgets.replaceJobBudgets(id, [{ key: "b" }, { key: "a", cost: 3 }]);
    expect(replaced.budgets).toEqual([
      { key: "b", cost: 1 },
      { key: "a", cost: 3 },
    ]);
    expect((await s.client.budgets.unbindJob(id, "b")).budgets).toEqual([{ key: "a", cost: 3 }]);
    expect((await s.client.budgets.unbindJob(id, "b")).budgets).toEqual([{ key: "a", cost: 3 }]);
    expect((await s.client.budgets.clearJobBudgets(id)).budgets).toEqual([]);
    expect((await s.client.getJob(id)).budgets).toEqual([]);

    // Each binding keeps its key in the replace body (the server needs it; no path key there).
    expect(sent(s, from).map(({ method, path, body }) => [method, path, body])).toEqual([
      ["POST", `/jobs/${id}/budgets/a`, { cost: 2 }],
      ["POST", `/jobs/${id}/budgets/a`, {}],
      ["PUT", `/jobs/${id}/budgets/a`, {}],
      ["PATCH", `/jobs/${id}/budgets/a`, { cost: 5 }],
      ["PATCH", `/jobs/${id}/budgets/b`, { cost: 2 }],
      ["PUT", `/jobs/${id}/budgets`, { budgets: [{ key: "b" }, { key: "a", cost: 3 }] }],
      ["DELETE", `/jobs/${id}/budgets/b`, undefined],
      ["DELETE", `/jobs/${id}/budgets/b`, undefined],
      ["DELETE", `/jobs/${id}/budgets`, undefined],
      ["GET", `/jobs/${id}`, undefined],
    ]);
  });

  it("bulk over client.jobs(filter): { changed, blocked } with in-flight jobs blocked, and the budgetsKey filter", async () => {
    await s.client.budgets.define({ key: "a", allocation: 10, strategy: cap });
    await s.client.budgets.define({ key: "b", allocation: 10, strategy: cap });
    const jobs = await s.client.enqueueBulk([1, 2, 3].map((n) => Call.with({ n })));
    const other = await s.client.enqueue(defineJob<{ n: number }>({ type: "other", queue: "misc" }), { n: 4 });
    const reader = (await s.client.take({ prefetch: 1, queues: ["api"] })).getReader();
    const held = await nextJob(reader);

    const api = s.client.jobs({ queue: "api" });
    expect(await api.bindBudget({ key: "a", cost: 2 })).toEqual({ changed: 2, blocked: [held.id] });
    expect(s.calls.at(-1)).toMatchObject({ method: "POST", path: "/jobs/budgets/a?queue=api" });
    expect(await api.bindBudget({ key: "a" })).toEqual({ changed: 0, blocked: [held.id] });
    expect(await api.setBudgetCost("a", 3)).toEqual({ changed: 2, blocked: [] });
    expect(await api.rebindBudget({ key: "b" })).toEqual({ changed: 2, blocked: [held.id] });
    expect(await s.client.jobs({ budgetsKey: ["a", "b"] }).count()).toBe(2);
    expect(s.calls.at(-1)?.path).toBe("/jobs/count?budgets.key=a%2Cb");
    expect(await s.client.jobs({ budgetsKey: "b" }).unbindBudget("b")).toEqual({ changed: 2, blocked: [] });
    const queued = jobs.filter((job) => job.id !== held.id).map((job) => job.id);
    expect((await s.client.jobs({ id: queued }).toArray()).map((job) => job.budgets)).toEqual([
      [{ key: "a", cost: 3 }],
      [{ key: "a", cost: 3 }],
    ]);
    expect(await s.client.jobs({ budgetsKey: "a" }).clearAllBudgets()).toEqual({ changed: 2, blocked: [] });
    expect(s.calls.at(-1)).toMatchObject({ method: "DELETE", path: "/jobs/budgets?budgets.key=a" });
    expect(await s.client.jobs({ budgetsKey: ["a", "b"] }).count()).toBe(0);
    expect((await s.client.getJob(other.id)).budgets).toEqual([]);
    await reader.cancel();
  });

  it("cron: a group timezone is inherited by entries without one; setTimezone changes or clears it; templates carry budgets", async () => {
    await s.client.budgets.define({ key: "api", allocation: 5, strategy: cap });
    const group = await s.client.crons.put("reports", {
      timezone: "Australia/Melbourne",
      entries: [
        { name: "inherits", expression: "0 9 * * *", job: Throttled.with({ n: 1 }) },
        { name: "own", expression: "0 9 * * *", timezone: "Australia/Melbourne", job: Call.with({ n: 2 }) },
        { name: "utc", expression: "0 9 * * *", timezone: "UTC", job: Call.with({ n: 3 }) },
      ],
    });
    expect(requestBody(s.calls.at(-1)!)).toMatchObject({ timezone: "Australia/Melbourne", entries: [{ name: "inherits", job: { budgets: [{ key: "api", cost: 2 }] } }, {}, {}] });
    expect(group.timezone).toBe("Australia/Melbourne");
    const [inherits, own, utc] = group.entries;
    expect(inherits?.timezone).toBeUndefined();
    expect(inherits?.nextEnqueueAt).toBe(own?.nextEnqueueAt);
    expect(inherits?.nextEnqueueAt).not.toBe(utc?.nextEnqueueAt);
    expect(inherits?.job.budgets).toEqual([{ key: "api", cost: 2 }]);
    expect(own?.job.budgets).toEqual([]);

    const moved = await s.client.crons.setTimezone("reports", "UTC");
    expect(sent(s, s.calls.length - 1)).toEqual([{ method: "PATCH", path: "/crons/reports", body: { timezone: "UTC" } }]);
    expect(moved).toMatchObject({ timezone: "UTC", paused: false });
    expect(moved.entries[0]?.nextEnqueueAt).toBe(utc?.nextEnqueueAt);
    const cleared = await s.client.crons.setTimezone("reports", null);
    expect(requestBody(s.calls.at(-1)!)).toEqual({ timezone: null });
    expect(cleared.timezone).toBeUndefined();
    expect(await rejection(s.client.crons.put("reports", { timezone: "Not/Real", entries: [] }))).toBeInstanceOf(ZizqBadRequestError);
    // A cron entry draws on the budget, so it cannot be deleted.
    expect(await rejection(s.client.budgets.delete("api"))).toBeInstanceOf(ZizqConflictError);
    expectFormat(s.calls, format);
  });
});

describe("budget replies", () => {
  /** A client whose server answers `GET /budgets/k` with `body` (a 0.7 server otherwise). */
  async function answering(body: unknown) {
    const s = await setup({ server: V07 });
    const client = s.clientWith({
      fetch: async (input, init) => {
        const request = new Request(input, init);
        if (new URL(request.url).pathname !== "/budgets/k") return s.server.fetch(request);
        return Response.json(body);
      },
    });
    return { s, client };
  }

  it("a strategy type this client does not know decodes as `unknown` with its name, never throws", async () => {
    const { s, client } = await answering({ key: "k", allocation: 5, strategy: { type: "sliding_window", window_ms: 10 }, created_at: 1, updated_at: 2 });
    expect(await client.budgets.get("k")).toEqual({ key: "k", allocation: 5, strategy: { type: "unknown", kind: "sliding_window" }, createdAt: 1, updatedAt: 2 });
    await s.close();
  });

  it("a time_based strategy without its duration, or a budget without a key, is a ZizqDecodeError", async () => {
    for (const body of [
      { key: "k", allocation: 5, strategy: { type: "time_based" }, created_at: 1, updated_at: 2 },
      { allocation: 5, strategy: { type: "while_in_flight" }, created_at: 1, updated_at: 2 },
      { key: "k", allocation: "5", strategy: { type: "while_in_flight" }, created_at: 1, updated_at: 2 },
    ]) {
      const { s, client } = await answering(body);
      expect(await rejection(client.budgets.get("k"))).toBeInstanceOf(ZizqDecodeError);
      await s.close();
    }
  });
});

describe("a budgetsKey listing across pages", () => {
  it("keeps budgets.key on every page when the server's next link drops it (Zizq 0.7.0 does)", async () => {
    const server = createTestServer({ license: "pro" });
    // The server's links as 0.7.0 writes them: without the budgets.key filter.
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const answer = await server.fetch(new Request(input, init));
      if (new URL(new Request(input, init).url).pathname !== "/jobs" || answer.status !== 200) return answer;
      const page = (await answer.json()) as { pages: { next: string | null } };
      if (page.pages.next) page.pages.next = page.pages.next.replace(/&?budgets\.key=[^&]*/, "");
      return Response.json(page);
    };
    const client = new Client({ url: "http://zizq.test", fetch });
    try {
      await client.enqueueBulk([1, 2, 3, 4, 5].map((n) => Throttled.with({ n }, { budgets: [{ key: "api", createWith: { allocation: 100, strategy: hourly } }] })));
      await client.enqueueBulk([6, 7, 8].map((n) => Call.with({ n })));
      const listed: number[] = [];
      for await (const job of client.jobs({ budgetsKey: "api" }).pageSize(2)) listed.push((job.payload as { n: number }).n);
      expect(listed.sort()).toEqual([1, 2, 3, 4, 5]);
    } finally {
      server.close();
    }
  });
});
