/**
 * Every Client method against the in-memory Zizq, in-process and over a real socket, in both
 * wire formats. Each block checks what the method answers, what the server now holds, and
 * that the request went in the client's format.
 */
import { decode } from "@msgpack/msgpack";
import * as v from "valibot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defineJob, ZizqArgumentError, ZizqNotFoundError, ZizqVersionError } from "../../../src/index.ts";
import { expectFormat as expectHarnessFormat, MATRIX, nextJob, rejection, requestBody, type Setup, setup } from "./harness.ts";

const SendEmail = defineJob({
  type: "send_email",
  queue: "emails",
  schema: v.object({ to: v.string() }),
  priority: 100,
  retryLimit: 5,
});
const Resize = defineJob<{ url: string; width: number }>({ type: "resize", queue: "images" });

describe.each(MATRIX)("Client methods ($mode, $format)", ({ mode, format }) => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup({ mode, format, server: { license: "pro" } });
  });
  afterEach(async () => {
    await s.close();
  });

  const expectFormat = () => expectHarnessFormat(s.calls, format);

  it("health, serverVersion, checkCompatibility, queues and reset", async () => {
    expect(await s.client.health()).toBe("ok");
    expect(await s.client.serverVersion()).toBe("0.7.0");
    expect(await s.client.checkCompatibility()).toBe("0.7.0");
    expect(await s.client.queues()).toEqual([]);
    await s.client.enqueue(SendEmail, { to: "a@example.com" });
    await s.client.enqueueRaw({ type: "t", queue: "payments/invoices", payload: null });
    expect(await s.client.queues()).toEqual(["emails", "payments/invoices"]);
    await s.client.crons.put("nightly", { entries: [{ name: "e1", expression: "0 3 * * *", job: Resize.with({ url: "u", width: 1 }) }] });
    await s.client.reset();
    expect(await s.client.queues()).toEqual([]);
    expect(await s.client.jobs().count()).toBe(0);
    expect(await s.client.crons.list()).toEqual([]);
    expectFormat();
  });

  it("checkCompatibility rejects a server of another major version with ZizqVersionError", async () => {
    const other = await setup({ mode, format, server: { version: "1.0.0" } });
    try {
      expect(await other.client.serverVersion()).toBe("1.0.0");
      const error = await rejection(other.client.checkCompatibility());
      expect(error).toBeInstanceOf(ZizqVersionError);
      expect(error).toMatchObject({ serverVersion: "1.0.0", supportedMajor: 0 });
      expect((error as Error).message).toContain("1.0.0");
    } finally {
      await other.close();
    }
  });

  it("enqueue sends the type's defaults and the call's options, and answers the job in camelCase", async () => {
    const job = await s.client.enqueue(
      SendEmail,
      { to: "a@example.com" },
      { priority: 7, backoff: { exponent: 2, base: "15s", jitter: 250 }, retention: { completed: "1h", dead: 0 } },
    );
    expect(job).toMatchObject({
      type: "send_email",
      queue: "emails",
      priority: 7,
      retryLimit: 5,
      status: "ready",
      attempts: 0,
      duplicate: false,
      folded: false,
      backoff: { exponent: 2, baseMs: 15_000, jitterMs: 250 },
      retention: { completedMs: 3_600_000, deadMs: 0 },
    });
    expect(job.id).toMatch(/^[0-9a-z]{25}$/);
    expect(job).not.toHaveProperty("payload");
    const [call] = s.calls;
    expect(call?.method).toBe("POST");
    expect(call?.path).toBe("/jobs");
    expect(requestBody(call!)).toEqual({
      type: "send_email",
      queue: "emails",
      payload: { to: "a@example.com" },
      priority: 7,
      retry_limit: 5,
      backoff: { exponent: 2, base_ms: 15_000, jitter_ms: 250 },
      retention: { completed_ms: 3_600_000, dead_ms: 0 },
    });
    const stored = await s.client.getJob<{ to: string }>(job.id);
    expect(stored.payload).toEqual({ to: "a@example.com" });
    expect(stored.priority).toBe(7);
    expectFormat();
  });

  it("the body of a msgpack client really is MessagePack (and JSON for a JSON client)", async () => {
    await s.client.enqueue(SendEmail, { to: "bytes@example.com" });
    const [call] = s.calls;
    const bytes = call!.body;
    if (format === "msgpack") {
      expect(() => JSON.parse(new TextDecoder().decode(bytes))).toThrow();
      expect(decode(bytes)).toMatchObject({ type: "send_email", payload: { to: "bytes@example.com" } });
    } else {
      expect(JSON.parse(new TextDecoder().decode(bytes))).toMatchObject({ type: "send_email" });
    }
    expectFormat();
  });

  it("enqueueBulk takes mixed job types and answers in input order", async () => {
    const jobs = await s.client.enqueueBulk([
      SendEmail.with({ to: "b@example.com" }),
      Resize.with({ url: "https://x/img.png", width: 640 }, { priority: 3 }),
      SendEmail.with({ to: "c@example.com" }, { retryLimit: 0 }),
    ]);
    expect(jobs.map((job) => [job.type, job.queue, job.priority])).toEqual([
      ["send_email", "emails", 100],
      ["resize", "images", 3],
      ["send_email", "emails", 100],
    ]);
    expect(jobs[2]?.retryLimit).toBe(0);
    expect(jobs.every((job) => job.duplicate === false && job.folded === false)).toBe(true);
    const ids = jobs.map((job) => job.id);
    expect([...ids].sort()).toEqual(ids);
    expect(s.calls.filter((call) => call.path === "/jobs/bulk")).toHaveLength(1);
    expect((await s.client.getJob(ids[1]!)).payload).toEqual({ url: "https://x/img.png", width: 640 });
    expect(await s.client.enqueueBulk([])).toEqual([]);
    expectFormat();
  });

  it("enqueueRaw takes camelCase options and sends them through the enqueue body builder", async () => {
    const job = await s.client.enqueueRaw({ type: "raw", queue: "q", payload: [1, 2], priority: 9, retryLimit: 2, delay: 1000 });
    expect(job).toMatchObject({ type: "raw", queue: "q", priority: 9, retryLimit: 2, status: "scheduled", duplicate: false });
    expect(requestBody(s.calls[0]!)).toMatchObject({ type: "raw", queue: "q", payload: [1, 2], priority: 9, retry_limit: 2, ready_at: expect.any(Number) });
    expect((await s.client.getJob(job.id)).payload).toEqual([1, 2]);
    expectFormat();
  });

  it("enqueueRaw refuses the server's snake_case instead of enqueueing with defaults", async () => {
    const snake: Record<string, unknown> = { type: "raw", queue: "q", payload: null, ready_at: Date.now() + 60_000, retry_limit: 0 };
    const error = await rejection(s.client.enqueueRaw(snake as never));
    expect(error).toBeInstanceOf(ZizqArgumentError);
    expect(error).toMatchObject({ field: "job.ready_at" });
    expect(s.calls).toHaveLength(0);
  });

  it("take delivers jobs; ack and ackMany complete them; ackMany answers the ids that were not in flight (422)", async () => {
    const enqueued = await s.client.enqueueBulk([1, 2, 3, 4].map((width) => Resize.with({ url: "u", width })));
    const stream = await s.client.take({ prefetch: 0, workerId: "w1" });
    const reader = stream.getReader();
    try {
      const taken = [];
      for (let i = 0; i < 4; i++) taken.push(await nextJob<{ width: number }>(reader));
      expect(taken.map((job) => job.id)).toEqual(enqueued.map((job) => job.id));
      expect(taken[0]).toMatchObject({ status: "in_flight", attempts: 0, payload: { url: "u", width: 1 } });
      expect(typeof taken[0]?.dequeuedAt).toBe("number");
      const take = s.calls.find((call) => call.path.startsWith("/jobs/take"));
      expect(take?.path).toBe("/jobs/take?prefetch=0");
      expect(take?.headers.get("worker-id")).toBe("w1");
      expect(take?.accept).toBe(format === "msgpack" ? "application/vnd.zizq.msgpack-stream" : "application/x-ndjson");
      expect(take?.responseType).toBe(format === "msgpack" ? "application/vnd.zizq.msgpack-stream" : "application/x-ndjson");

      await s.client.ack(taken[0]!.id);
      expect(await s.client.ackMany([taken[1]!.id, taken[2]!.id])).toEqual({ notFound: [] });
      // taken[1] is no longer in flight; taken[3] is; "bogus" never was.
      const partial = await s.client.ackMany([taken[3]!.id, taken[1]!.id, "bogus"]);
      expect(partial.notFound.sort()).toEqual([taken[1]!.id, "bogus"].sort());
      expect(await s.client.ackMany([])).toEqual({ notFound: [] });
      expect(await s.client.jobs().count()).toBe(0);
      const ackMany = s.calls.filter((call) => call.path === "/jobs/success");
      expect(ackMany.map((call) => call.status)).toEqual([204, 422]);
      expect(requestBody(ackMany[0]!)).toEqual({ ids: [taken[1]!.id, taken[2]!.id] });
    } finally {
      await reader.cancel();
    }
    expectFormat();
  });

  it("fail: message, errorType, backtrace, retryAt and kill; errors(id) walks the history page by page; getError", async () => {
    const { id } = await s.client.enqueue(SendEmail, { to: "f@example.com" });
    const reader = (await s.client.take({ prefetch: 1 })).getReader();
    try {
      await nextJob(reader);
      const retried = await s.client.fail(id, { message: "boom 1", errorType: "RuntimeError", backtrace: "at a\nat b" });
      expect(retried).toMatchObject({ id, status: "scheduled", attempts: 1 });
      expect(typeof retried.failedAt).toBe("number");
      expect(retried).not.toHaveProperty("payload");
      expect(requestBody(s.calls.at(-1)!)).toEqual({ message: "boom 1", error_type: "RuntimeError", backtrace: "at a\nat b" });

      // retryAt in the past: scheduled at that time, promoted on the next tick, delivered again.
      await s.client.patchJob(id, { readyAt: null });
      const again = await nextJob(reader);
      expect(again).toMatchObject({ id, attempts: 1 });
      const at = new Date(Date.UTC(2020, 0, 1));
      const scheduled = await s.client.fail(id, { message: "boom 2", retryAt: at });
      expect(scheduled).toMatchObject({ status: "scheduled", readyAt: at.getTime(), attempts: 2 });
      expect(requestBody(s.calls.at(-1)!)).toEqual({ message: "boom 2", retry_at: at.getTime() });
      s.server.tick();
      expect(await nextJob(reader)).toMatchObject({ id, attempts: 2 });

      const dead = await s.client.fail(id, { message: "fatal", retryAt: Date.now() + 60_000, kill: true });
      expect(dead).toMatchObject({ status: "dead", attempts: 3 });
      expect(requestBody(s.calls.at(-1)!)).toMatchObject({ message: "fatal", kill: true });
    } finally {
      await reader.cancel();
    }

    const history = [];
    for await (const record of s.client.errors(id).pageSize(1)) history.push(record);
    expect(history.map((record) => [record.attempt, record.message])).toEqual([
      [1, "boom 1"],
      [2, "boom 2"],
      [3, "fatal"],
    ]);
    expect(history[0]).toMatchObject({ errorType: "RuntimeError", backtrace: "at a\nat b" });
    expect(history[1]).not.toHaveProperty("errorType");
    expect(typeof history[0]?.dequeuedAt).toBe("number");
    expect(typeof history[0]?.failedAt).toBe("number");
    // Three pages of one record each (the last one says there is no next page).
    expect(s.calls.filter((call) => call.path.startsWith(`/jobs/${id}/errors?`))).toHaveLength(3);
    expect(await s.client.errors(id).toArray()).toEqual(history);

    expect(await s.client.getError(id, 2)).toEqual(history[1]);
    expect(await rejection(s.client.getError(id, 4))).toBeInstanceOf(ZizqNotFoundError);
    expectFormat();
  });

  it("getJob answers the job with its payload; a missing job is ZizqNotFoundError", async () => {
    const { id } = await s.client.enqueue(SendEmail, { to: "g@example.com" }, { priority: 1 });
    const job = await s.client.getJob<{ to: string }>(id);
    expect(job).toMatchObject({ id, type: "send_email", queue: "emails", priority: 1, status: "ready", attempts: 0, payload: { to: "g@example.com" } });
    expect(job).not.toHaveProperty("dequeuedAt");
    expect(job).not.toHaveProperty("duplicate");
    const missing = await rejection(s.client.getJob("0000000000000000000000000"));
    expect(missing).toBeInstanceOf(ZizqNotFoundError);
    expect(missing).toMatchObject({ status: 404, serverMessage: "job not found" });
    expectFormat();
  });

  it("jobs(filter): async iteration over several pages, order, pageSize, first, toArray, count", async () => {
    const ids: string[] = [];
    for (let width = 1; width <= 7; width++) ids.push((await s.client.enqueue(Resize, { url: "u", width })).id);
    await s.client.enqueue(SendEmail, { to: "other@example.com" });
    s.calls.length = 0;

    const seen: number[] = [];
    for await (const job of s.client.jobs<{ width: number }>({ queue: "images" }).pageSize(2)) seen.push(job.payload.width);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const pages = s.calls.filter((call) => call.method === "GET" && call.path.startsWith("/jobs?"));
    expect(pages).toHaveLength(4);
    expect(pages[0]?.path).toContain("limit=2");

    const desc = await s.client.jobs({ queue: "images" }).order("desc").pageSize(3).toArray();
    expect(desc.map((job) => job.id)).toEqual([...ids].reverse());
    expect((await s.client.jobs({ type: "resize" }).first())?.id).toBe(ids[0]);
    expect((await s.client.jobs({ type: "resize" }).order("desc").first())?.id).toBe(ids[6]);
    expect(await s.client.jobs({ queue: "nowhere" }).first()).toBeUndefined();
    expect(await s.client.jobs({ queue: "nowhere" }).toArray()).toEqual([]);
    expect(await s.client.jobs().count()).toBe(8);
    expect(await s.client.jobs({ queue: ["images", "emails"], status: "ready" }).count()).toBe(8);
    expect(await s.client.jobs({ id: [ids[0]!, ids[3]!] }).count()).toBe(2);
    expect(await s.client.jobs({ type: "send_email" }).count()).toBe(1);
    expectFormat();
  });

  it("jobs(filter).updateAll and deleteAll answer how many jobs they changed", async () => {
    await s.client.enqueueBulk([1, 2, 3].map((width) => Resize.with({ url: "u", width }, { priority: width * 10 })));
    await s.client.enqueue(SendEmail, { to: "keep@example.com" });
    expect(await s.client.jobs({ queue: "images", priority: { min: 15 } }).updateAll({ priority: 7, retryLimit: 1 })).toBe(2);
    expect((await s.client.jobs({ priority: 7 }).toArray()).map((job) => job.retryLimit)).toEqual([1, 1]);
    const patch = s.calls.find((call) => call.method === "PATCH");
    expect(patch?.path).toBe("/jobs?queue=images&priority=15..");
    expect(requestBody(patch!)).toEqual({ priority: 7, retry_limit: 1 });
    expect(await s.client.jobs({ queue: "nowhere" }).updateAll({ priority: 1 })).toBe(0);

    expect(await s.client.jobs({ queue: "images" }).deleteAll()).toBe(3);
    expect(s.calls.find((call) => call.method === "DELETE")?.path).toBe("/jobs?queue=images");
    expect(await s.client.queues()).toEqual(["emails"]);
    expect(await s.client.jobs().deleteAll()).toBe(1);
    expect(await s.client.jobs().count()).toBe(0);
    expectFormat();
  });

  it("patchJob changes fields and null clears them", async () => {
    const { id } = await s.client.enqueue(
      SendEmail,
      { to: "p@example.com" },
      { retryLimit: 3, backoff: { exponent: 1, base: 200, jitter: 0 }, retention: { completed: "1h", dead: "1d" } },
    );
    const moved = await s.client.patchJob(id, { queue: "q2", priority: 42 });
    expect(moved).toMatchObject({ id, queue: "q2", priority: 42, retryLimit: 3, retention: { completedMs: 3_600_000, deadMs: 86_400_000 } });
    expect(moved).not.toHaveProperty("payload");

    const later = Date.now() + 3_600_000;
    expect(await s.client.patchJob(id, { readyAt: new Date(later) })).toMatchObject({ status: "scheduled", readyAt: later });
    const readyNow = await s.client.patchJob(id, { readyAt: null });
    expect(readyNow.status).toBe("ready");
    expect(readyNow.readyAt).toBeLessThan(later);

    const partial = await s.client.patchJob(id, { retention: { completed: null } });
    expect(partial.retention).toEqual({ deadMs: 86_400_000 });

    const cleared = await s.client.patchJob(id, { retryLimit: null, backoff: null, retention: null });
    expect(cleared).not.toHaveProperty("retryLimit");
    expect(cleared).not.toHaveProperty("backoff");
    expect(cleared).not.toHaveProperty("retention");
    expect(requestBody(s.calls.at(-1)!)).toEqual({ retry_limit: null, backoff: null, retention: null });
    const stored = await s.client.getJob(id);
    expect(stored).toMatchObject({ queue: "q2", priority: 42, payload: { to: "p@example.com" } });
    expect(stored).not.toHaveProperty("retryLimit");
    expectFormat();
  });

  it("deleteJob removes a job; deleting it again is ZizqNotFoundError", async () => {
    const { id } = await s.client.enqueue(SendEmail, { to: "d@example.com" });
    await s.client.deleteJob(id);
    expect(await rejection(s.client.getJob(id))).toBeInstanceOf(ZizqNotFoundError);
    const again = await rejection(s.client.deleteJob(id));
    expect(again).toBeInstanceOf(ZizqNotFoundError);
    expect(again).toMatchObject({ status: 404, request: { method: "DELETE", path: `/jobs/${id}` } });
    expectFormat();
  });

  it("sends the headers option on every request, and a trailing slash on the URL is harmless", async () => {
    const client = s.clientWith({ url: `${s.url}/`, headers: { "x-trace": "t-1" } });
    await client.enqueue(SendEmail, { to: "h@example.com" });
    expect(await client.jobs().count()).toBe(1);
    const reader = (await client.take()).getReader();
    try {
      await nextJob(reader);
    } finally {
      await reader.cancel();
    }
    expect(s.calls.map((call) => call.path)).toEqual(["/jobs", "/jobs/count", "/jobs/take"]);
    for (const call of s.calls) expect(call.headers.get("x-trace"), call.path).toBe("t-1");
    expectFormat();
  });

  it("unique enqueues (pro) answer the existing job as a duplicate", async () => {
    const Unique = defineJob<{ n: number }>({ type: "u", queue: "q", unique: { key: (payload) => `n:${payload.n}` } });
    const first = await s.client.enqueue(Unique, { n: 1 });
    const second = await s.client.enqueue(Unique, { n: 1 });
    expect(second).toMatchObject({ id: first.id, duplicate: true, uniqueKey: "n:1", uniqueWhile: "queued" });
    expect(requestBody(s.calls[0]!)).toMatchObject({ unique_key: "n:1" });
    expectFormat();
  });
});
