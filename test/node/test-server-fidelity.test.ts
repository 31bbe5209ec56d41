/**
 * Behaviours of the real server (read from its source) that the protocol digest's facts do not
 * pin down, each found missing or wrong in the test server once.
 */
import { describe, expect, it } from "vitest";
import { job, target } from "../contract/harness.ts";

const fold = { when: "($existing|length) < 2", fold: "$existing + $new" };

describe("batched jobs", () => {
  it("keeps folding into the open job after a sealed one is moved to scheduled", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const batch = { key: "k", ...fold };
    const b1 = await t.enqueue({ payload: [1], batch });
    await t.enqueue({ payload: [2], batch });
    const b2 = await t.enqueue({ payload: [3], batch });
    expect(b2.id).not.toBe(b1.id);
    expect((await t.patch(`/jobs/${b1.id}`, { ready_at: Date.now() + 3_600_000 })).body.status).toBe("scheduled");
    const folded = await t.post("/jobs", job({ payload: [4], batch }));
    expect(folded.status).toBe(200);
    expect(folded.body).toMatchObject({ id: b2.id, folded: true });
  });

  it("folds into a job that went scheduled and back to ready", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const batch = { key: "k", when: "true", fold: "$existing + $new" };
    const a = await t.enqueue({ payload: [1], batch });
    await t.patch(`/jobs/${a.id}`, { ready_at: Date.now() + 3_600_000 });
    await t.patch(`/jobs/${a.id}`, { ready_at: null });
    const again = await t.post("/jobs", job({ payload: [2], batch }));
    expect(again.body).toMatchObject({ id: a.id, folded: true });
  });

  it("writes nothing from a bulk request whose fold fails at fold time, and logs the 500's error", async (ctx) => {
    const logged: { message: string; details: unknown }[] = [];
    const logger = { warn: () => {}, error: (message: string, details: unknown) => void logged.push({ message, details }) };
    const t = await target(ctx, { license: "pro", logger });
    // The dry run folds [1] into [1]; at fold time {a:1} into [1] fails.
    const batch = { key: "k", when: "true", fold: "$existing + $new" };
    await t.enqueue({ payload: [1], batch });
    const reply = await t.post("/jobs/bulk", { jobs: [job({ payload: "plain" }), job({ payload: { a: 1 }, batch })] });
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({ error: "internal server error" });
    const jobs = (await t.get("/jobs")).body.jobs;
    expect(jobs.map((j: { payload: unknown }) => j.payload)).toEqual([[1]]);
    if (!t.server) return; // a real server logs to its own output
    expect(logged).toEqual([
      { message: "zizq test server: internal error", details: { error: expect.objectContaining({ message: expect.stringMatching(/^fold expression failed at runtime: /) }) } },
    ]);
  });

  it("fires a cron entry whose template is batched, folding as an enqueue would", async (ctx) => {
    let now = Date.UTC(2026, 0, 1, 12, 0, 30);
    const t = await target(ctx, { license: "pro", now: () => now });
    const template = { type: "t", queue: "q", payload: [1], batch: { key: "cron", when: "true", fold: "$existing + $new" } };
    expect((await t.put("/crons/g", { entries: [{ name: "e", expression: "* * * * *", job: template }] })).status).toBe(200);
    now += 60_000;
    t.server?.tick();
    now += 60_000;
    t.server?.tick();
    const jobs = (await t.get("/jobs")).body.jobs;
    expect(jobs.map((j: { payload: unknown }) => j.payload)).toEqual([[1, 1]]);
    expect((await t.get("/health")).status).toBe(200);
  });
});

describe("payloads", () => {
  it("come back with object keys sorted, as serde_json stores them", async (ctx) => {
    const t = await target(ctx);
    const created = await t.enqueue({ payload: { b: 1, a: { d: 1, c: 2 }, "é": 0, z: [{ y: 1, x: 2 }] } });
    const got = await t.get(`/jobs/${created.id}`);
    expect(got.text).toContain('"payload":{"a":{"c":2,"d":1},"b":1,"z":[{"x":2,"y":1}],"é":0}');
  });
});

describe("take streams wake like the server's", () => {
  it("a disconnect's requeue frees global room for a stream on another queue", async (ctx) => {
    const t = await target(ctx, { globalInFlightLimit: 1, heartbeatMs: 50 });
    await t.enqueue({ queue: "q1" });
    const other = await t.enqueue({ queue: "q2" });
    const a = await t.stream("?queue=q1");
    await a.nextJob();
    const c = await t.stream("?queue=q2");
    await c.expectNoJob(100);
    a.close();
    expect((await c.nextJob()).id).toBe(other.id);
  });

  it("a patch that keeps a job ready does not wake an idle stream", async (ctx) => {
    const t = await target(ctx, { heartbeatMs: 50 });
    const moved = await t.enqueue({ queue: "elsewhere" });
    const stream = await t.stream("?queue=target&prefetch=5");
    await stream.expectNoJob(50);
    await t.patch(`/jobs/${moved.id}`, { queue: "target" });
    await stream.expectNoJob(150);
    // The next job that becomes ready wakes the stream, which then claims both in order.
    await t.enqueue({ queue: "target" });
    expect((await stream.jobs(2)).map((j) => j.queue)).toEqual(["target", "target"]);
  });
});

describe("cron validation", () => {
  const entry = (fields: Record<string, unknown>) => ({ name: "e", expression: "* * * * *", job: job(), ...fields });

  it("accepts nicknames and a year field, and refuses a zone spelled in the wrong case", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    expect((await t.put("/crons/g", { entries: [entry({ expression: "@daily" })] })).status).toBe(200);
    expect((await t.put("/crons/g", { entries: [entry({ expression: "0 0 0 1 1 * 2030" })] })).status).toBe(200);
    const few = await t.put("/crons/g", { entries: [entry({ expression: "* * *" })] });
    expect(few.body.error).toBe("invalid cron expression: Invalid pattern: Pattern must have between 5 and 7 fields.");
    const zone = await t.put("/crons/g", { entries: [entry({ timezone: "utc" })] });
    expect(zone.status).toBe(400);
    expect(zone.body.error).toBe('invalid timezone: "utc"');
    expect((await t.put("/crons/g", { entries: [entry({ timezone: "UTC" })] })).status).toBe(200);
  });

  it("checks an entry's expression before its zone", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const reply = await t.put("/crons/g", { entries: [entry({ expression: "nope", timezone: "Not/Real" })] });
    expect(reply.body.error).toMatch(/^invalid cron expression: /);
  });

  it("POST entries validates before it creates the group or reports a conflict", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    expect((await t.post("/crons/g/entries", entry({ expression: "bad" }))).status).toBe(400);
    expect((await t.get("/crons")).body.crons).toEqual([]);
    expect((await t.post("/crons/g/entries", entry({}))).status).toBe(201);
    expect((await t.post("/crons/g/entries", entry({ expression: "bad" }))).status).toBe(400);
    expect((await t.post("/crons/g/entries", entry({}))).status).toBe(409);
  });

  it("names the entry in a 404 even when its group is missing", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    for (const method of ["GET", "DELETE"]) {
      const reply = await t.req(method, "/crons/none/entries/e");
      expect(reply.body.error).toBe("cron entry 'e' not found in group 'none'");
    }
    const patched = await t.patch("/crons/none/entries/e", { paused: true });
    expect(patched.body.error).toBe("cron entry 'e' not found in group 'none'");
  });

  it("fires due entries earliest first", async (ctx) => {
    let now = Date.UTC(2026, 0, 1, 12, 0, 30);
    const t = await target(ctx, { license: "pro", now: () => now });
    const template = (type: string) => ({ ...job(), type });
    await t.put("/crons/a", { entries: [{ name: "hourly", expression: "0 * * * *", timezone: "UTC", job: template("hourly") }] });
    await t.put("/crons/b", { entries: [{ name: "minutely", expression: "* * * * *", timezone: "UTC", job: template("minutely") }] });
    now = Date.UTC(2026, 0, 1, 13, 0, 30);
    t.server?.tick();
    const types = (await t.get("/jobs")).body.jobs.map((j: { type: string }) => j.type);
    expect(types).toEqual(["minutely", "hourly"]);
  });
});

describe("PATCH check order", () => {
  it("bulk: a null queue is refused before the filter is compiled", async (ctx) => {
    const t = await target(ctx);
    const reply = await t.req("PATCH", `/jobs?filter=${encodeURIComponent(".x ====")}`, { json: { queue: null } });
    expect(reply.status).toBe(422);
    expect(reply.body.error).toBe("queue cannot be null");
  });

  it("single: a bad queue name is refused before a null priority", async (ctx) => {
    const t = await target(ctx);
    const created = await t.enqueue();
    const reply = await t.patch(`/jobs/${created.id}`, { queue: "a,b", priority: null });
    expect(reply.body.error).toBe("queue must not contain ','");
    expect((await t.get(`/jobs/${created.id}`)).body.queue).toBe("q");
  });
});

describe("the routing fallback", () => {
  // Zizq's fallback handler takes the same Accept extractor as /health (src/api/primary/handlers.rs,
  // `not_found`, v0.6.0 and v0.6.1): an unknown path is 404 in JSON or MessagePack, and 406 for an
  // Accept naming neither, a take-stream type such as NDJSON included; so a client with a wrong base
  // path sees 406 on its take stream and 404 on its JSON calls.
  it("answers an unknown path 404 in the negotiated format, or 406 when Accept names neither format", async (ctx) => {
    const t = await target(ctx);
    for (const accept of [undefined, "application/json", "*/*"]) {
      const reply = await t.get("/nope/jobs/take", accept === undefined ? {} : { accept });
      expect([reply.status, reply.contentType, reply.body], String(accept)).toEqual([404, "application/json", { error: "not found" }]);
    }
    const msgpack = await t.get("/nope/jobs/take", { accept: "application/msgpack" });
    expect([msgpack.status, msgpack.contentType]).toEqual([404, "application/msgpack"]);
    const ndjson = await t.get("/nope/jobs/take", { accept: "application/x-ndjson" });
    expect([ndjson.status, ndjson.body]).toEqual([406, { error: "not acceptable", supported: ["application/json", "application/msgpack"] }]);
  });
});
