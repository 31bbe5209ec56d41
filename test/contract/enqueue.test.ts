// §13 facts 8–26 and 156: POST /jobs, its body formats, validation and stored options.
import { decode, encode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { expectBetween, job, target } from "./harness.ts";

describe("enqueue", () => {
  it("fact 8: POST /jobs is 201 with the job metadata and no payload", async (ctx) => {
    const t = await target(ctx);
    const before = Date.now();
    const r = await t.post("/jobs", { type: "t", queue: "q", payload: "x" });
    const after = Date.now();
    expect(r.status).toBe(201);
    expect(r.body.id).toMatch(/^[0-9a-z]{25}$/);
    expect(r.body).toMatchObject({
      type: "t",
      queue: "q",
      status: "ready",
      priority: 32768,
      attempts: 0,
      duplicate: false,
      folded: false,
    });
    expectBetween(t, r.body.ready_at, before, after);
    expect(r.body).not.toHaveProperty("payload");
    expect(r.body).not.toHaveProperty("retry_limit");
    expect(r.body).not.toHaveProperty("backoff");
  });

  it("fact 9: priority 5 is stored", async (ctx) => {
    const t = await target(ctx);
    const r = await t.post("/jobs", job({ priority: 5 }));
    expect(r.status).toBe(201);
    expect(r.body.priority).toBe(5);
  });

  it("fact 10: a missing queue is 400 invalid JSON: missing field", async (ctx) => {
    const t = await target(ctx);
    const r = await t.post("/jobs", { type: "t", payload: null });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^invalid JSON: missing field `queue`/);
  });

  it("fact 11: payload is required but may be null", async (ctx) => {
    const t = await target(ctx);
    const missing = await t.post("/jobs", { type: "t", queue: "q" });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatch(/^invalid JSON: missing field `payload`/);
    const nullPayload = await t.post("/jobs", { type: "t", queue: "q", payload: null });
    expect(nullPayload.status).toBe(201);
  });

  it("fact 12: a non-JSON body without Content-Type is 400 invalid JSON", async (ctx) => {
    const t = await target(ctx);
    const r = await t.req("POST", "/jobs", { raw: "not json" });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^invalid JSON: /);
    expect((await t.get("/jobs/count")).body).toEqual({ count: 0 });
  });

  it("fact 13: Content-Type application/xml is 415 with the supported list", async (ctx) => {
    const t = await target(ctx);
    const r = await t.req("POST", "/jobs", {
      raw: "<job/>",
      headers: { "content-type": "application/xml" },
    });
    expect(r.status).toBe(415);
    expect(r.body).toEqual({
      error: "unsupported media type",
      supported: ["application/json", "application/msgpack"],
    });
  });

  it("fact 14: a MessagePack body is accepted and answered in JSON", async (ctx) => {
    const t = await target(ctx);
    const r = await t.req("POST", "/jobs", {
      raw: encode(job({ payload: { n: 1 } })),
      headers: { "content-type": "application/msgpack" },
    });
    expect(r.status).toBe(201);
    expect(r.contentType).toBe("application/json");
    expect(r.body).toMatchObject({ type: "t", queue: "q", status: "ready", duplicate: false });
    expect((await t.get(`/jobs/${r.body.id}`)).body.payload).toEqual({ n: 1 });
  });

  it("fact 15: MessagePack in and Accept msgpack answers MessagePack", async (ctx) => {
    const t = await target(ctx);
    const r = await t.req("POST", "/jobs", {
      raw: encode(job()),
      headers: { "content-type": "application/msgpack", accept: "application/msgpack" },
    });
    expect(r.status).toBe(201);
    expect(r.contentType).toBe("application/msgpack");
    const body = decode(r.bytes) as Record<string, unknown>;
    expect(body.id).toMatch(/^[0-9a-z]{25}$/);
    expect(body).toMatchObject({ type: "t", queue: "q", status: "ready", duplicate: false, folded: false });
  });

  it("fact 16: a MessagePack bin payload is 400", async (ctx) => {
    const t = await target(ctx);
    const r = await t.req("POST", "/jobs", {
      raw: encode(job({ payload: Uint8Array.of(1, 2, 3) })),
      headers: { "content-type": "application/msgpack" },
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^invalid MessagePack: /);
    expect((await t.get("/jobs/count")).body).toEqual({ count: 0 });
  });

  it("fact 17: a queue containing ',' is 400", async (ctx) => {
    const t = await target(ctx);
    const r = await t.post("/jobs", job({ queue: "a,b" }));
    expect(r.status).toBe(400);
    expect(r.body.error).toBe("queue must not contain ','");
  });

  it("fact 18: reserved characters in a queue name are 400", async (ctx) => {
    const t = await target(ctx);
    const cases: [string, string][] = [
      ["foo*", "*"],
      ["bar?", "?"],
      ["baz[0]", "["],
      ["qux{ab}", "{"],
      ["back\\slash", "\\"],
    ];
    for (const [queue, char] of cases) {
      const r = await t.post("/jobs", job({ queue }));
      expect(r.status, queue).toBe(400);
      expect(r.body.error, queue).toContain("reserved");
      expect(r.body.error, queue).toBe(`queue must not contain '${char}' (reserved)`);
    }
  });

  it("fact 19: an empty queue or type is 400", async (ctx) => {
    const t = await target(ctx);
    const queue = await t.post("/jobs", job({ queue: "" }));
    expect(queue.status).toBe(400);
    expect(queue.body).toEqual({ error: "queue must not be empty" });
    const type = await t.post("/jobs", job({ type: "" }));
    expect(type.status).toBe(400);
    expect(type.body).toEqual({ error: "type must not be empty" });
  });

  it("fact 20: priority is u16", async (ctx) => {
    const t = await target(ctx);
    const high = await t.post("/jobs", job({ priority: 70000 }));
    expect(high.status).toBe(400);
    expect(high.body.error).toMatch(/^invalid JSON: invalid value: integer `70000`, expected u16/);
    const negative = await t.post("/jobs", job({ priority: -1 }));
    expect(negative.status).toBe(400);
    expect(negative.body.error).toContain("integer `-1`, expected u16");
    const max = await t.post("/jobs", job({ priority: 65535 }));
    expect(max.status).toBe(201);
    expect(max.body.priority).toBe(65535);
  });

  it("fact 21: a future ready_at gives scheduled and is echoed exactly", async (ctx) => {
    const t = await target(ctx);
    const readyAt = Date.now() + 60_000;
    const r = await t.post("/jobs", job({ ready_at: readyAt }));
    expect(r.status).toBe(201);
    expect(r.body.status).toBe("scheduled");
    expect(r.body.ready_at).toBe(readyAt);
  });

  it("fact 22: a past ready_at gives ready and is kept as given", async (ctx) => {
    const t = await target(ctx);
    const readyAt = Date.now() - 1000;
    const r = await t.post("/jobs", job({ ready_at: readyAt }));
    expect(r.status).toBe(201);
    expect(r.body.status).toBe("ready");
    expect(r.body.ready_at).toBe(readyAt);
  });

  it("fact 23: retry_limit is stored", async (ctx) => {
    const t = await target(ctx);
    const created = await t.enqueue({ retry_limit: 5 });
    const r = await t.get(`/jobs/${created.id}`);
    expect(r.status).toBe(200);
    expect(r.body.retry_limit).toBe(5);
  });

  it("fact 24: backoff is stored with its three keys", async (ctx) => {
    const t = await target(ctx);
    const backoff = { exponent: 3.0, base_ms: 1000, jitter_ms: 50 };
    const created = await t.enqueue({ backoff });
    const r = await t.get(`/jobs/${created.id}`);
    expect(r.status).toBe(200);
    expect(r.body.backoff).toEqual(backoff);
  });

  it("fact 25: a backoff missing keys is 400", async (ctx) => {
    const t = await target(ctx);
    const r = await t.post("/jobs", job({ backoff: { base_ms: 1 } }));
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^invalid JSON: /);
    expect((await t.get("/jobs/count")).body).toEqual({ count: 0 });
  });

  it("fact 26: an unknown top-level field is ignored", async (ctx) => {
    const t = await target(ctx);
    const r = await t.post("/jobs", job({ foo: 1 }));
    expect(r.status).toBe(201);
    expect(r.body).not.toHaveProperty("foo");
    expect((await t.get(`/jobs/${r.body.id}`)).body).not.toHaveProperty("foo");
  });

  it("fact 156: priority null on enqueue means the default 32768", async (ctx) => {
    const t = await target(ctx);
    const r = await t.post("/jobs", job({ priority: null }));
    expect(r.status).toBe(201);
    expect(r.body.priority).toBe(32768);
  });
});
