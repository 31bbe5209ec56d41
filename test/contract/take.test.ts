// §13 facts 54–71: GET /jobs/take, over a real socket (or ZIZQ_URL).
import { describe, expect, it } from "vitest";
import { eventually } from "../support/wait.ts";
import { target, type Target } from "./harness.ts";

const HEARTBEAT_MS = 50;

const statusOf = async (t: Target, id: string) => (await t.get(`/jobs/${id}`)).body.status;

describe("take stream", () => {
  it("fact 54: take with no Accept streams NDJSON", async (ctx) => {
    const t = await target(ctx);
    const created = await t.enqueue({ payload: { hello: "world" } });
    const s = await t.stream();
    expect(s.response.status).toBe(200);
    expect(s.response.headers.get("content-type")).toBe("application/x-ndjson");
    const frame = await s.next();
    expect(frame?.kind).toBe("job");
    const text = new TextDecoder().decode(frame!.raw);
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.indexOf("\n")).toBe(text.length - 1);
    const taken = JSON.parse(text);
    expect(taken).toMatchObject({ id: created.id, status: "in_flight", payload: { hello: "world" }, attempts: 0 });
    expect(taken.dequeued_at).toBeTypeOf("number");
    expect(taken).not.toHaveProperty("duplicate");
    expect(taken).not.toHaveProperty("folded");
  });

  it("fact 55: take with the msgpack-stream Accept sends length-prefixed MessagePack", async (ctx) => {
    const t = await target(ctx);
    const created = await t.enqueue({ payload: [1, 2] });
    const s = await t.stream("", { accept: "application/vnd.zizq.msgpack-stream" });
    expect(s.response.status).toBe(200);
    expect(s.response.headers.get("content-type")).toBe("application/vnd.zizq.msgpack-stream");
    const frame = await s.next();
    expect(frame?.kind).toBe("job");
    const length = new DataView(frame!.raw.buffer, frame!.raw.byteOffset, 4).getUint32(0);
    // The reader cuts exactly 4 + length bytes and decode() rejects trailing bytes.
    expect(frame!.raw.length).toBe(4 + length);
    if (frame?.kind !== "job") throw new Error("not a job frame");
    expect(frame.job).toMatchObject({ id: created.id, status: "in_flight", payload: [1, 2] });
    expect(frame.job.dequeued_at).toBeTypeOf("number");
  });

  it("fact 56: take with Accept text/event-stream sends SSE data frames", async (ctx) => {
    const t = await target(ctx);
    const created = await t.enqueue({ payload: "x" });
    const s = await t.stream("", { accept: "text/event-stream" });
    expect(s.response.status).toBe(200);
    expect(s.response.headers.get("content-type")).toBe("text/event-stream");
    expect(s.response.headers.get("cache-control")).toBe("no-cache");
    const frame = await s.next();
    const text = new TextDecoder().decode(frame!.raw);
    expect(text).toMatch(/^data: \{.*\}\n\n$/s);
    expect(JSON.parse(text.slice("data: ".length))).toMatchObject({ id: created.id, status: "in_flight", payload: "x" });
  });

  it("fact 57: take with Accept text/xml is 406 with the stream formats", async (ctx) => {
    const t = await target(ctx);
    const s = await t.stream("", { accept: "text/xml" });
    expect(s.response.status).toBe(406);
    expect(s.response.headers.get("content-type")).toBe("application/json");
    expect(await s.response.json()).toEqual({
      error: "not acceptable",
      supported: ["text/event-stream", "application/x-ndjson", "application/vnd.zizq.msgpack-stream"],
    });
  });

  it("fact 58: take with an unknown query parameter is a 400 text/plain rejection", async (ctx) => {
    const t = await target(ctx);
    const s = await t.stream("?bogus=1");
    expect(s.response.status).toBe(400);
    expect(s.response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await s.response.text()).toMatch(/^Failed to deserialize query string: /);
  });

  it("fact 59: an idle take stream sends heartbeats in every format", async (ctx) => {
    const t = await target(ctx, { heartbeatMs: HEARTBEAT_MS });
    const formats: [Record<string, string>, number[]][] = [
      [{}, [0x0a]],
      [{ accept: "application/vnd.zizq.msgpack-stream" }, [0, 0, 0, 0]],
      [{ accept: "text/event-stream" }, [...new TextEncoder().encode(": heartbeat\n\n")]],
    ];
    await Promise.all(
      formats.map(async ([headers, bytes]) => {
        const opened = Date.now();
        const s = await t.stream("", headers);
        const frame = await s.next(t.heartbeatMs * 3 + 500);
        expect(frame?.kind, JSON.stringify(headers)).toBe("heartbeat");
        expect([...frame!.raw]).toEqual(bytes);
        // Sent after a quiet interval, not at once.
        expect(Date.now() - opened).toBeGreaterThanOrEqual(t.heartbeatMs * 0.5);
      }),
    );
  });

  it("fact 60: prefetch 1 holds the second job until the first is acked", async (ctx) => {
    const t = await target(ctx, { heartbeatMs: HEARTBEAT_MS });
    const a = await t.enqueue();
    const b = await t.enqueue();
    const s = await t.stream();
    expect((await s.nextJob()).id).toBe(a.id);
    await s.expectNoJob();
    expect(await statusOf(t, b.id)).toBe("ready");
    expect((await t.post(`/jobs/${a.id}/success`)).status).toBe(204);
    expect((await s.nextJob()).id).toBe(b.id);
  });

  it("fact 61: prefetch 2 sends 2 of 3 jobs, the 3rd after one ack", async (ctx) => {
    const t = await target(ctx, { heartbeatMs: HEARTBEAT_MS });
    const ids = [(await t.enqueue()).id, (await t.enqueue()).id, (await t.enqueue()).id];
    const s = await t.stream("?prefetch=2");
    expect((await s.jobs(2)).map((j) => j.id)).toEqual(ids.slice(0, 2));
    await s.expectNoJob();
    expect((await t.post(`/jobs/${ids[1]}/success`)).status).toBe(204);
    expect((await s.nextJob()).id).toBe(ids[2]);
  });

  it("fact 62: prefetch 0 is unlimited", async (ctx) => {
    const t = await target(ctx);
    const ids = [(await t.enqueue()).id, (await t.enqueue()).id, (await t.enqueue()).id];
    const s = await t.stream("?prefetch=0");
    expect((await s.jobs(3)).map((j) => j.id)).toEqual(ids);
    expect((await t.get("/jobs/count?status=in_flight")).body).toEqual({ count: 3 });
  });

  it("fact 63: dispatch is by (priority, id), across queues and after promotion", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue({ queue: "q1", priority: 0 });
    const b = await t.enqueue({ queue: "q2", priority: 5 });
    const s1 = await t.stream("?prefetch=2&queue=q1,q2");
    expect((await s1.jobs(2)).map((j) => j.id)).toEqual([a.id, b.id]);

    // The scheduled job is older, so once promoted it goes before a job that was ready earlier.
    const older = await t.enqueue({ queue: "q3", ready_at: Date.now() + 100 });
    const younger = await t.enqueue({ queue: "q3" });
    expect(older.status).toBe("scheduled");
    await eventually(async () => expect(await statusOf(t, older.id)).toBe("ready"), "the scheduled job to be promoted");
    const s2 = await t.stream("?prefetch=2&queue=q3");
    expect((await s2.jobs(2)).map((j) => j.id)).toEqual([older.id, younger.id]);
  });

  it("fact 64: ?queue= delivers only that queue", async (ctx) => {
    const t = await target(ctx, { heartbeatMs: HEARTBEAT_MS });
    const other = await t.enqueue({ queue: "other" });
    const report = await t.enqueue({ queue: "reports" });
    const s = await t.stream("?queue=reports&prefetch=0");
    expect((await s.nextJob()).id).toBe(report.id);
    await s.expectNoJob();
    expect(await statusOf(t, other.id)).toBe("ready");
  });

  it("fact 65: several queues are served in (priority, id) order, others skipped", async (ctx) => {
    const t = await target(ctx, { heartbeatMs: HEARTBEAT_MS });
    const other = await t.enqueue({ queue: "other", priority: 0 });
    const email = await t.enqueue({ queue: "emails", priority: 10 });
    const hook = await t.enqueue({ queue: "webhooks", priority: 5 });
    const s = await t.stream("?queue=emails,webhooks&prefetch=2");
    expect((await s.jobs(2)).map((j) => j.id)).toEqual([hook.id, email.id]);
    await s.expectNoJob();
    expect(await statusOf(t, other.id)).toBe("ready");
  });

  it("fact 66: a job enqueued while a stream is idle is delivered on it", async (ctx) => {
    const t = await target(ctx, { heartbeatMs: HEARTBEAT_MS });
    const s = await t.stream();
    await s.expectNoJob(100);
    const created = await t.enqueue();
    expect((await s.nextJob()).id).toBe(created.id);
  });

  it("fact 67: closing a stream puts its held job back to ready", async (ctx) => {
    const t = await target(ctx);
    const created = await t.enqueue();
    const s = await t.stream();
    const taken = await s.nextJob();
    expect(taken.id).toBe(created.id);
    s.close();
    await eventually(async () => expect(await statusOf(t, created.id)).toBe("ready"), "the disconnect to requeue the job");
    const stored = (await t.get(`/jobs/${created.id}`)).body;
    expect(stored.attempts).toBe(0);
    expect(stored.ready_at).toBe(created.ready_at);
    const again = await (await t.stream()).nextJob();
    expect(again).toMatchObject({ id: created.id, attempts: 0, status: "in_flight" });
  });

  it("fact 68: a disconnect requeues every held job, read or not", async (ctx) => {
    const t = await target(ctx);
    for (let i = 0; i < 5; i++) await t.enqueue();
    const s = await t.stream("?prefetch=5");
    await s.nextJob();
    await eventually(async () => expect((await t.get("/jobs/count?status=in_flight")).body.count).toBe(5), "all five held");
    s.close();
    await eventually(async () => expect((await t.get("/jobs/count?status=ready")).body).toEqual({ count: 5 }), "the disconnect to requeue all five");
  });

  it("fact 69: a disconnect requeues only the jobs not yet acked", async (ctx) => {
    const t = await target(ctx);
    const a = await t.enqueue();
    const b = await t.enqueue();
    const s = await t.stream("?prefetch=2");
    await s.jobs(2);
    expect((await t.post(`/jobs/${a.id}/success`)).status).toBe(204);
    s.close();
    await eventually(async () => expect(await statusOf(t, b.id)).toBe("ready"), "the disconnect to requeue the unacked job");
    // Default retention deletes a completed job.
    expect((await t.get(`/jobs/${a.id}`)).status).toBe(404);
    expect((await t.get("/jobs/count")).body).toEqual({ count: 1 });
  });

  it("fact 70: the global in-flight limit caps what streams get", async (ctx) => {
    const t = await target(ctx, { globalInFlightLimit: 2, heartbeatMs: HEARTBEAT_MS });
    const ids = [(await t.enqueue()).id, (await t.enqueue()).id, (await t.enqueue()).id];
    const s = await t.stream("?prefetch=3");
    expect((await s.jobs(2)).map((j) => j.id)).toEqual(ids.slice(0, 2));
    await s.expectNoJob();
    expect(await statusOf(t, ids[2]!)).toBe("ready");
    expect((await t.post(`/jobs/${ids[0]}/success`)).status).toBe(204);
    expect((await s.nextJob()).id).toBe(ids[2]);
  });

  it("fact 71: a job failed with a past retry_at comes back on the same stream", async (ctx) => {
    const t = await target(ctx);
    const created = await t.enqueue();
    const s = await t.stream("?prefetch=1");
    expect((await s.nextJob()).attempts).toBe(0);
    const failed = await t.post(`/jobs/${created.id}/failure`, { message: "again", retry_at: 1 });
    expect(failed.status).toBe(200);
    expect(failed.body.status).toBe("scheduled");
    expect(failed.body.ready_at).toBe(1);
    const again = await s.nextJob();
    expect(again).toMatchObject({ id: created.id, attempts: 1, status: "in_flight" });
  });
});
