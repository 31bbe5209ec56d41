/**
 * The push endpoint (`zizq-edge/hono`) against a real Hono app: every attack is refused with
 * its exact status, before any handler runs and without any ack or nack; every handler ending
 * maps to DESIGN.md §5's outcome contract, with a Client (settled here, job state checked on
 * the server) and without (settled by the relay).
 */
import { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import { zizqPush, zizqPushHandler } from "../../../adapters/hono.ts";
import { createPushHandler, MemoryReplayStore, signDelivery } from "../../../src/push/index.ts";
import { generateSecret } from "../../../src/push/signature.ts";
import { Router } from "../../../src/processing/router.ts";
import { type Harness, harness, quiet, SECRET } from "./harness.ts";

const nowSec = () => Math.floor(Date.now() / 1000);
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Asserts that nothing ran and nothing was settled, and that the job is still in flight. */
async function untouched(id: string) {
  expect(h!.ran).toEqual([]);
  expect(h!.settles).toEqual([]);
  expect((await h!.state(id)).status).toBe("in_flight");
}

async function expectRejected(response: Response, status: number, error?: string) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: string };
  if (error) expect(body).toEqual({ error });
  return body;
}

describe("attack matrix: refused before any handler, nothing acked or nacked", () => {
  it("wrong secret → 401", async () => {
    h = await harness();
    const { id, frame } = await h.take("task", { mode: "ok" });
    await expectRejected(await h.deliver(frame, { secrets: generateSecret() }), 401, "invalid_signature");
    await untouched(id);
  });

  it("a valid signature over a different body → 401", async () => {
    h = await harness();
    const { id, frame } = await h.take("task", { mode: "ok" });
    const signed = await signDelivery(SECRET, frame);
    const other = frame.replace('"ok"', '"throw"');
    expect(other).not.toBe(frame);
    await expectRejected(await h.post(other, signed), 401, "invalid_signature");
    // Same JSON, different bytes (re-serialised): the raw bytes are what is signed.
    await expectRejected(await h.post(JSON.stringify(JSON.parse(frame), null, 1), signed), 401, "invalid_signature");
    await untouched(id);
  });

  it.for([
    ["webhook-id", 400, "missing_header"],
    ["webhook-timestamp", 400, "missing_header"],
    ["webhook-signature", 401, "missing_signature"],
  ] as const)("missing %s → %i", async ([name, status, error]) => {
    h = await harness();
    const { id, frame } = await h.take("task", { mode: "ok" });
    const signed: Record<string, string> = await signDelivery(SECRET, frame);
    delete signed[name];
    await expectRejected(await h.post(frame, signed), status, error);
    await untouched(id);
  });

  it("duplicated headers → 400 / 401", async () => {
    h = await harness();
    const { id, frame } = await h.take("task", { mode: "ok" });
    const signed = await signDelivery(SECRET, frame);
    const twice = (name: keyof typeof signed, value: string) => {
      const headers = new Headers({ ...signed, "content-type": "application/json" });
      headers.append(name, value);
      return h!.app.request("/zizq", { method: "POST", body: frame, headers });
    };
    await expectRejected(await twice("webhook-id", signed["webhook-id"]), 400, "malformed_header");
    await expectRejected(await twice("webhook-timestamp", signed["webhook-timestamp"]), 400, "malformed_header");
    await expectRejected(await twice("webhook-signature", signed["webhook-signature"]), 401, "malformed_signature");
    await untouched(id);
  });

  it("malformed headers → 400 / 401", async () => {
    h = await harness();
    const { id, frame } = await h.take("task", { mode: "ok" });
    const signed = await signDelivery(SECRET, frame);
    await expectRejected(await h.post(frame, { ...signed, "webhook-id": "has spaces" }), 400, "malformed_header");
    await expectRejected(await h.post(frame, { ...signed, "webhook-timestamp": "soon" }), 400, "malformed_header");
    await expectRejected(await h.post(frame, { ...signed, "webhook-signature": "sha256=abc" }), 401, "malformed_signature");
    await expectRejected(await h.post(frame, { ...signed, "webhook-signature": "v1,!!!" }), 401, "malformed_signature");
    await untouched(id);
  });

  it("a signature of the wrong length → 401", async () => {
    h = await harness();
    const { id, frame } = await h.take("task", { mode: "ok" });
    const signed = await signDelivery(SECRET, frame);
    const mac = signed["webhook-signature"].slice(3);
    const bytes = Uint8Array.from(atob(mac), (c) => c.charCodeAt(0));
    const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
    for (const wrong of [b64(bytes.subarray(0, 16)), b64(bytes.subarray(0, 31)), b64(new Uint8Array([...bytes, 0])), mac.slice(0, -2)]) {
      await expectRejected(await h.post(frame, { ...signed, "webhook-signature": `v1,${wrong}` }), 401, "malformed_signature");
    }
    await untouched(id);
  });

  it("timestamps past and future of the tolerance → 401 (and the edge is accepted)", async () => {
    h = await harness({ withClient: false });
    const { id, frame } = await h.take("task", { mode: "ok" });
    for (const offset of [-301, 301, -3600, 3600]) {
      await expectRejected(await h.deliver(frame, { timestampSec: nowSec() + offset }), 401, "stale_timestamp");
    }
    await untouched(id);
    expect((await h.deliver(frame, { timestampSec: nowSec() - 290 })).status).toBe(200);
    expect((await h.deliver(frame, { timestampSec: nowSec() + 290 })).status).toBe(200);
  });

  it("a replayed delivery id → 409, the handler ran once and one ack was sent", async () => {
    h = await harness();
    const { id, frame } = await h.take("task", { mode: "ok" });
    const signed = await signDelivery(SECRET, frame);
    expect((await h.post(frame, signed)).status).toBe(200);
    expect(h.ran).toEqual([id]);
    expect(h.settles).toEqual(["/jobs/success"]);
    await expectRejected(await h.post(frame, signed), 409, "replayed_delivery");
    expect(h.ran).toEqual([id]);
    expect(h.settles).toEqual(["/jobs/success"]);
  });

  it("a body over the cap with an honest content-length → 413", async () => {
    h = await harness({ maxBodyBytes: 1024 });
    const { id, frame } = await h.take("task", { mode: "ok", pad: "x".repeat(2000) });
    expect(frame.length).toBeGreaterThan(1024);
    const signed = await signDelivery(SECRET, frame);
    await expectRejected(await h.post(frame, { ...signed, "content-length": String(frame.length) }), 413, "payload_too_large");
    await untouched(id);
  });

  it("a streamed body over the cap without content-length → 413, the stream cancelled", async () => {
    h = await harness({ maxBodyBytes: 1024 });
    const { id, frame } = await h.take("task", { mode: "ok" });
    const signed = await signDelivery(SECRET, frame);
    let pulled = 0;
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(512).fill(32)); // never ends by itself
      },
      cancel() {
        cancelled = true;
      },
    });
    const response = await h.app.request("/zizq", {
      method: "POST",
      body,
      headers: { ...signed, "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    await expectRejected(response, 413, "payload_too_large");
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(8);
    await untouched(id);
  });

  it("invalid JSON → 400", async () => {
    h = await harness();
    const { id } = await h.take("task", { mode: "ok" });
    await expectRejected(await h.deliver('{"id": "x", '), 400, "invalid_json");
    await expectRejected(await h.deliver("[1, 2]"), 400, "invalid_envelope");
    await expectRejected(await h.deliver(JSON.stringify({ id, type: "task" })), 400, "invalid_envelope");
    await untouched(id);
  });

  it("wrong method → 405 with Allow; wrong content type → 415", async () => {
    h = await harness();
    const { id, frame } = await h.take("task", { mode: "ok" });
    const signed = await signDelivery(SECRET, frame);
    for (const method of ["GET", "PUT", "DELETE"]) {
      const response = await h.app.request("/any", { method, headers: signed, ...(method === "GET" ? {} : { body: frame }) });
      await expectRejected(response, 405, "method_not_allowed");
      expect(response.headers.get("allow")).toBe("POST");
    }
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/jsonx"]) {
      await expectRejected(await h.post(frame, { ...signed, "content-type": type }), 415, "unsupported_media_type");
    }
    const noType = await h.app.request("/zizq", { method: "POST", body: new TextEncoder().encode(frame), headers: signed });
    await expectRejected(noType, 415, "unsupported_media_type");
    await untouched(id);
    // A charset parameter is fine.
    expect((await h.post(frame, { ...signed, "content-type": "application/json; charset=utf-8" })).status).toBe(200);
  });

  it("a payload that fails its schema → 422, no handler ran, the job killed", async () => {
    h = await harness();
    const { id, frame } = await h.take("task", { mode: "nope" });
    const response = await h.deliver(frame);
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ id, outcome: "killed", settled: true, errorType: "ZizqValidationError" });
    expect(h.ran).toEqual([]);
    expect((await h.state(id)).status).toBe("dead");
  });

  it("an unknown job type → 422 (killed as UnknownJobType), no handler ran", async () => {
    h = await harness({ withClient: false });
    const { id, frame } = await h.take("mystery", {});
    const response = await h.deliver(frame);
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ id, outcome: "killed", settled: false, error: 'no handler for job type "mystery"', errorType: "UnknownJobType" });
    await untouched(id);
  });

  it("key rotation: old and new both valid during the overlap, the old refused after", async () => {
    const older = generateSecret();
    const newer = generateSecret();
    h = await harness({ withClient: false, secrets: [older, newer] });
    const { id, frame } = await h.take("task", { mode: "ok" });
    expect((await h.deliver(frame, { secrets: older })).status).toBe(200);
    expect((await h.deliver(frame, { secrets: [older, newer] })).status).toBe(200);
    expect((await h.deliver(frame, { secrets: newer })).status).toBe(200);
    await h.close();
    h = await harness({ withClient: false, secrets: [newer] });
    const next = await h.take("task", { mode: "ok" });
    await expectRejected(await h.deliver(next.frame, { secrets: older }), 401, "invalid_signature");
    await untouched(next.id);
    expect((await h.deliver(next.frame, { secrets: [older, newer] })).status).toBe(200);
    expect(id).not.toBe(next.id);
  });

  it("a replay store that fails → 500, fail closed, nothing ran", async () => {
    const onError = vi.fn();
    h = await harness({ onError, replayStore: { seen: () => Promise.reject(new Error("kv down")) } });
    const { id, frame } = await h.take("task", { mode: "ok" });
    await expectRejected(await h.deliver(frame), 500, "internal_error");
    expect(onError).toHaveBeenCalledOnce();
    await untouched(id);
  });
});

describe("outcome contract", () => {
  const endings = [
    ["ok", 200, "completed"],
    ["throw", 500, "failed"],
    ["fatal", 422, "killed"],
    ["later", 503, "retry"],
  ] as const;

  it.for(endings)("with a Client: %s → %i %s, settled here", async ([mode, status, outcome]) => {
    h = await harness();
    const { id, frame } = await h.take("task", { mode });
    const started = Date.now();
    const response = await h.deliver(frame);
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/json");
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ id, outcome, settled: true });
    expect(h.ran).toEqual([id]);
    const job = await h.state(id);
    if (mode === "ok") {
      expect(body).toEqual({ id, outcome, settled: true });
      expect(h.settles).toEqual(["/jobs/success"]);
      expect(job.status).toBe("completed");
      return;
    }
    expect(h.settles).toEqual([`/jobs/${id}/failure`]);
    expect(job.attempts).toBe(1);
    if (mode === "throw") {
      expect(body).toMatchObject({ error: "boom", errorType: "TypeError" });
      expect(["ready", "scheduled"]).toContain(job.status);
    }
    if (mode === "fatal") {
      expect(body).toMatchObject({ error: "never again", errorType: "NonRetryableError" });
      expect(job.status).toBe("dead");
    }
    if (mode === "later") {
      expect(body.retryAt).toBeGreaterThanOrEqual(started + 60_000);
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(59);
      expect(Number(response.headers.get("retry-after"))).toBeLessThanOrEqual(61);
      expect(job.status).toBe("scheduled");
      expect(job.readyAt).toBe(body.retryAt);
    }
  });

  it.for(endings)("without a Client: %s → %i %s, settled: false, nothing sent", async ([mode, status, outcome]) => {
    h = await harness({ withClient: false });
    const { id, frame } = await h.take("task", { mode });
    const response = await h.deliver(frame);
    expect(response.status).toBe(status);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ id, outcome, settled: false });
    if (mode === "later") expect(response.headers.get("retry-after")).toMatch(/^(59|60)$/);
    else expect(response.headers.get("retry-after")).toBeNull();
    expect(h.ran).toEqual([id]);
    expect(h.settles).toEqual([]);
    expect((await h.state(id)).status).toBe("in_flight");
  });

  it("with a waitUntil context the settle runs under it, after the answer", async () => {
    h = await harness();
    const router = new Router().fallback(() => {});
    const handler = createPushHandler({ router, secrets: SECRET, client: h.client, logger: quiet });
    const { id, frame } = await h.take("anything", {});
    const waited: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void waited.push(p) };
    const signed = await signDelivery(SECRET, frame);
    const request = new Request("http://edge.test/zizq", { method: "POST", body: frame, headers: { ...signed, "content-type": "application/json" } });
    const response = await handler(request, ctx);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id, outcome: "completed", settled: true });
    expect(waited).toHaveLength(1);
    await Promise.all(waited);
    expect((await h.state(id)).status).toBe("completed");
  });

  it("the deprecated zizqPushHandler still finds a waitUntil context in Workers' third argument", async () => {
    h = await harness();
    const router = new Router().fallback(() => {});
    const handler = zizqPushHandler({ router, secrets: SECRET, client: h.client, logger: quiet });
    const { id, frame } = await h.take("anything", {});
    const waited: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void waited.push(p) };
    const signed = await signDelivery(SECRET, frame);
    const request = new Request("http://edge.test/zizq", { method: "POST", body: frame, headers: { ...signed, "content-type": "application/json" } });
    // Workers' (request, env, ctx) shape.
    const response = await handler(request, {}, ctx);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id, outcome: "completed", settled: true });
    expect(waited).toHaveLength(1);
    await Promise.all(waited);
    expect((await h.state(id)).status).toBe("completed");
  });

  it("dangerouslySkipVerification accepts unsigned deliveries, warning loudly on every one", async () => {
    h = await harness({ withClient: false });
    const warn = vi.fn();
    const app = new Hono();
    app.post("/zizq", zizqPush({ router: new Router().fallback(() => {}), dangerouslySkipVerification: true, logger: { ...quiet, warn } }));
    expect(warn).toHaveBeenCalledOnce();
    const { id, frame } = await h.take("anything", {});
    const response = await app.request("/zizq", { method: "POST", body: frame, headers: { "content-type": "application/json" } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id, outcome: "completed", settled: false });
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it("refuses to build without secrets or with a bad one", () => {
    const router = new Router();
    expect(() => zizqPush({ router })).toThrow(/secret/);
    expect(() => zizqPush({ router, secrets: ["not-a-secret"] })).toThrow(/whsec_/);
    expect(() => zizqPush({ router, secrets: SECRET, toleranceSec: 5 })).toThrow(/toleranceSec/);
    expect(() => zizqPush({ router, secrets: SECRET, replayStore: new MemoryReplayStore() })).not.toThrow();
  });
});
