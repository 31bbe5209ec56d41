/**
 * The test server's own features and its behaviour under bad input: what the contract suite
 * (one test per protocol fact) does not cover. Everything here is in-process or over a real
 * loopback socket; nothing is mocked.
 */
import { connect } from "node:net";
import { encode } from "@msgpack/msgpack";
import { describe, expect, it, vi } from "vitest";
import { job, target } from "../contract/harness.ts";
import { eventually } from "../support/wait.ts";

describe("bad input never crashes the server or loses a job", () => {
  const bodies: Array<[string, string | Uint8Array, Record<string, string>]> = [
    ["binary garbage", new Uint8Array([0xff, 0x00, 0xfe, 0x13, 0x37]), { "content-type": "application/json" }],
    ["invalid UTF-8 in a string", new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]), {}],
    ["a JSON array", "[1,2,3]", { "content-type": "application/json" }],
    ["a truncated object", '{"type":"t","queue":', { "content-type": "application/json" }],
    ["a MessagePack string, not a map", "", { "content-type": "application/msgpack" }],
    ["truncated MessagePack", new Uint8Array([0x83, 0xa4, 0x74]), { "content-type": "application/msgpack" }],
    // serde_json stops at 128 levels of nesting; the test server must not crash past it either.
    ["deep nesting", `{"type":"t","queue":"q","payload":${"[".repeat(5000)}${"]".repeat(5000)}}`, { "content-type": "application/json" }],
    ["a byte-order mark", "\ufeff{}", { "content-type": "application/json" }],
  ];

  it.for(bodies)("answers 400 to %s and keeps serving", async ([, raw, headers], ctx) => {
    const t = await target(ctx);
    const before = await t.enqueue({ payload: { keep: true } });
    const body = raw === "" ? encode("not a map") : raw;
    const reply = await t.req("POST", "/jobs", { raw: body, headers });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatch(/^invalid (JSON|MessagePack): /);
    const kept = await t.get(`/jobs/${before.id}`);
    expect(kept.status).toBe(200);
    expect(kept.body.payload).toEqual({ keep: true });
  });

  it("answers 400 on wrong field types, naming the field's expected type", async (ctx) => {
    const t = await target(ctx);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ type: 5 }, "invalid JSON: invalid type: integer `5`, expected a string"],
      [{ priority: "high" }, 'invalid JSON: invalid type: string "high", expected u16'],
      [{ priority: 1.5 }, "invalid JSON: invalid type: floating point `1.5`, expected u16"],
      [{ ready_at: -5 }, "invalid JSON: invalid value: integer `-5`, expected u64"],
      [{ retry_limit: true }, "invalid JSON: invalid type: boolean `true`, expected u32"],
      [{ backoff: { exponent: 2, base_ms: 1 } }, "invalid JSON: missing field `jitter_ms`"],
      [{ batch: { key: "k", when: "true" } }, "invalid JSON: missing field `fold`"],
      [{ retention: [] }, "invalid JSON: invalid type: sequence, expected struct RetentionConfig"],
    ];
    for (const [fields, error] of cases) {
      const reply = await t.post("/jobs", job(fields));
      expect(reply.status, JSON.stringify(fields)).toBe(400);
      expect(reply.body.error).toBe(error);
    }
    expect((await t.get("/jobs/count")).body.count).toBe(0);
  });

  it("rejects unknown query parameters on every filtered endpoint", async (ctx) => {
    const t = await target(ctx);
    for (const [method, path] of [
      ["GET", "/jobs?bogus=1"],
      ["GET", "/jobs/count?order=asc"],
      ["DELETE", "/jobs?limit=5"],
      ["GET", "/jobs/x/errors?status=ready"],
    ] as const) {
      const reply = await t.req(method, path);
      expect(reply.status, path).toBe(400);
      expect(reply.body.error, path).toContain("invalid query parameters");
    }
    const patched = await t.req("PATCH", "/jobs?from=x", { json: {} });
    expect(patched.status).toBe(400);
  });

  it("stores and returns a 5 MB payload intact", async (ctx) => {
    const t = await target(ctx);
    const payload = { blob: "x".repeat(5 * 1024 * 1024) };
    const created = await t.enqueue({ payload });
    const got = await t.get(`/jobs/${created.id}`);
    expect(got.body.payload.blob.length).toBe(payload.blob.length);
    const [taken] = await t.claim(1);
    expect(taken.payload.blob.length).toBe(payload.blob.length);
  });

  it("requeues held jobs when a client drops its socket without closing the stream", async (ctx) => {
    const t = await target(ctx, { heartbeatMs: 50 });
    const a = await t.enqueue({ payload: 1 });
    const b = await t.enqueue({ payload: 2 });
    const stream = await t.stream("?prefetch=2");
    await stream.jobs(2);
    // A raw socket that sends half a request and vanishes must not disturb anything either.
    const url = new URL(stream.response.url);
    const raw = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => raw.once("connect", () => resolve()));
    raw.write("GET /jobs/take?prefetch=5 HTTP/1.1\r\nHost: x\r\n");
    raw.destroy();
    stream.close();
    await eventually(async () => {
      for (const id of [a.id, b.id]) {
        const reply = await t.get(`/jobs/${id}`);
        expect(reply.body.status).toBe("ready");
        expect(reply.body.attempts).toBe(0);
      }
    }, "both held jobs to be ready again");
    expect(t.server?.connections()).toEqual([]);
  });
});

describe("inspection helpers", () => {
  it("lists each stream with what it holds, and dropConnections requeues like a crash", async (ctx) => {
    const t = await target(ctx, { heartbeatMs: 50 });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await t.enqueue({ queue: "q1" })).id);
    const stream = await t.stream("?prefetch=2&queue=q1", { "worker-id": "w-1" });
    await stream.jobs(2);
    expect(t.server?.connections()).toEqual([
      { id: expect.any(String), workerId: "w-1", queues: ["q1"], prefetch: 2, held: [ids[0], ids[1]] },
    ]);
    // The stream is served over a socket by @hono/node-server, which reports a body that errors
    // to console.error (it has no option for it) before cutting the connection.
    const reported = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      t.server?.dropConnections();
      await eventually(async () => expect(stream.ended).toBe(true), "the dropped stream to end");
      await eventually(async () => expect(reported).toHaveBeenCalledOnce(), "the drop to be reported");
      expect(String(reported.mock.calls[0]?.[0])).toContain("zizq test server: connection dropped");
    } finally {
      reported.mockRestore();
    }
    expect(t.server?.connections()).toEqual([]);
    expect((await t.get("/jobs/count?status=ready")).body.count).toBe(3);
  });

  it("setLicense switches tiers at run time, including the expired wording", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    expect((await t.get("/crons")).status).toBe(200);
    t.server?.setLicense("expired");
    const reply = await t.post("/jobs", job({ unique_key: "k" }));
    expect(reply.status).toBe(403);
    expect(reply.body.error).toBe("License expired. unique jobs requires a pro license.");
    t.server?.setLicense("free");
    expect((await t.get("/crons")).body.error).toBe("cron scheduling requires a pro license");
  });
});

describe("the scheduler", () => {
  it("promotes a scheduled job on its own timer and delivers it to an idle stream", async (ctx) => {
    const t = await target(ctx, { heartbeatMs: 50 });
    const stream = await t.stream("?prefetch=1");
    const scheduled = await t.enqueue({ ready_at: Date.now() + 150 });
    expect(scheduled.status).toBe("scheduled");
    // No request after the enqueue: only the server's own timer can bring the job.
    const delivered = await stream.nextJob(3000);
    expect(delivered.id).toBe(scheduled.id);
  });
});

describe("the injected clock", () => {
  const clock = () => {
    let now = Date.UTC(2026, 0, 1, 12, 0, 30);
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it("promotes scheduled jobs when the clock passes ready_at, keeping their place in line", async (ctx) => {
    const c = clock();
    const t = await target(ctx, { now: c.now });
    const early = await t.enqueue({ ready_at: c.now() + 60_000, priority: 5 });
    await t.enqueue({ priority: 5 });
    expect(early.status).toBe("scheduled");
    c.advance(60_000);
    t.server?.tick();
    const list = await t.get("/jobs?status=ready");
    expect(list.body.jobs.map((j: { id: string }) => j.id)[0]).toBe(early.id);
    const [first] = await t.claim(1);
    expect(first.id).toBe(early.id);
  });

  it("fires due cron entries once per tick, skips paused ones, and stays idle on the free tier", async (ctx) => {
    const c = clock();
    const t = await target(ctx, { now: c.now, license: "pro" });
    const template = { type: "report", queue: "cron", payload: { n: 1 } };
    const put = await t.put("/crons/daily", {
      entries: [
        { name: "every-minute", expression: "* * * * *", timezone: "UTC", job: template },
        { name: "paused", expression: "* * * * *", timezone: "UTC", paused: true, job: template },
      ],
    });
    expect(put.status).toBe(200);
    const next = put.body.entries[0].next_enqueue_at;
    expect(next).toBe(Date.UTC(2026, 0, 1, 12, 1, 0));

    // Three missed minutes fire once, not three times.
    c.advance(3 * 60_000);
    t.server?.tick();
    const jobs = (await t.get("/jobs?queue=cron")).body.jobs;
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ type: "report", payload: { n: 1 }, ready_at: c.now(), status: "ready" });
    const entries = (await t.get("/crons/daily")).body.entries;
    expect(entries[0].last_enqueue_at).toBe(c.now());
    expect(entries[0].next_enqueue_at).toBe(Date.UTC(2026, 0, 1, 12, 4, 0));
    expect(entries[1].last_enqueue_at).toBeUndefined();
    expect(entries[1].next_enqueue_at).toBe(Date.UTC(2026, 0, 1, 12, 4, 0));

    t.server?.setLicense("free");
    c.advance(60_000);
    t.server?.tick();
    expect((await t.get("/jobs/count?queue=cron")).body.count).toBe(1);
  });

  it("applies jitter from the injected random source", async (ctx) => {
    const c = clock();
    const t = await target(ctx, { now: c.now, random: () => 0.5 });
    await t.enqueue({ backoff: { exponent: 1, base_ms: 100, jitter_ms: 1000 } });
    const [taken] = await t.claim(1);
    const failed = await t.post(`/jobs/${taken.id}/failure`, { message: "x" });
    // 1^1 s + 100 ms base + 0.5 × 1000 ms × 1 attempt
    expect(failed.body.ready_at).toBe(c.now() + 1600);
  });

  it("reaps expired jobs physically on its interval; DELETE sees them until then", async (ctx) => {
    const c = clock();
    const t = await target(ctx, { now: c.now, reaperIntervalMs: 20 });
    await t.enqueue({ queue: "kept", retention: { completed_ms: 1000 } });
    const [taken] = await t.claim(1);
    await t.post(`/jobs/${taken.id}/success`);
    c.advance(1000);
    expect((await t.get(`/jobs/${taken.id}`)).status).toBe(404);
    await eventually(async () => expect((await t.get("/queues")).body.queues).toEqual([]), "the emptied queue to go");
  });
});

describe("MessagePack", () => {
  it("carries the backoff exponent as a float32, as the server's rmp-serde does", async (ctx) => {
    const t = await target(ctx);
    const created = await t.enqueue({ backoff: { exponent: 0.1, base_ms: 1, jitter_ms: 0 } });
    const json = await t.get(`/jobs/${created.id}`);
    expect(json.body.backoff.exponent).toBe(0.1);
    const packed = await t.get(`/jobs/${created.id}`, { accept: "application/msgpack" });
    expect(packed.contentType).toBe("application/msgpack");
    expect(packed.body.backoff.exponent).toBe(Math.fround(0.1));
  });
});
