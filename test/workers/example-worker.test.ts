/**
 * The example Worker (wrangler.toml's main) inside workerd, calling the Zizq test server that the
 * global setup put on a loopback port: its health route, its producer route, and its cron drain.
 * These tests share the `emails` queue, so they run in order in this one file.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, test, vi } from "vitest";
import worker, { type Env, router, SendEmail } from "../../examples/worker.ts";
import { generateSecret, signDelivery } from "../../src/push/index.ts";
import { Client } from "../../src/index.ts";
import { createTestClient } from "../../src/testing/index.ts";
import { zizqMatchers } from "../../src/testing/vitest.ts";
import { helpersWalk } from "../support/helpers-walk.ts";
import { vitestAssert } from "../support/vitest-assert.ts";
import { registerWalk } from "../support/walk.ts";
import { serverState } from "./server-state.ts";
import { tolerateCancelledReads } from "./workerd-quirks.ts";

tolerateCancelledReads();

const env: Env = { ZIZQ_URL: inject("zizqUrl") };
const client = new Client({ url: inject("zizqUrl") });

async function call(request: Request, callEnv: Env = env): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, callEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

const post = (body: unknown) =>
  new Request("http://worker.test/emails", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

afterEach(() => {
  vi.restoreAllMocks();
});

describe("health route", () => {
  it("reports the health and version of the Zizq server at ZIZQ_URL", async () => {
    const response = await call(new Request("http://worker.test/"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ zizq: inject("zizqUrl"), status: "ok", version: "0.7.0" });
  });

  // A refused connection would also answer 502, but workerd logs its own uncaught error for it.
  it("answers 502 when the URL does not lead to a Zizq health check", async () => {
    const response = await call(new Request("http://worker.test/"), { ZIZQ_URL: `${inject("zizqUrl")}/elsewhere` });
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ status: "unavailable", error: expect.stringContaining("404") });
  });
});

describe("producer route", () => {
  it("enqueues from the fetch handler", async () => {
    const response = await call(post({ to: "a@example.com", subject: "Welcome" }));
    expect(response.status).toBe(202);
    const { enqueued } = (await response.json()) as { enqueued: string[] };
    expect(enqueued).toHaveLength(1);
    const job = await client.getJob(enqueued[0]!);
    expect(job).toMatchObject({ type: "send_email", queue: "emails", status: "ready", payload: { to: "a@example.com", subject: "Welcome" } });
    await client.deleteJob(job.id);
  });

  it("refuses a payload that fails the schema with 422, sending nothing", async () => {
    const response = await call(post([{ to: "b@example.com", subject: "Hi" }, { to: "not an email", subject: "Hi" }]));
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ error: expect.stringContaining("to") });
    expect(await client.jobs({ queue: "emails" }).count()).toBe(0);
  });

  it("answers 404 to other routes", async () => {
    expect((await call(new Request("http://worker.test/nowhere"))).status).toBe(404);
  });
});

describe("push endpoint", () => {
  const frame = {
    id: "0000000000000000000000push",
    type: "send_email",
    queue: "emails",
    priority: 32768,
    status: "in_flight",
    payload: { to: "c@example.com", subject: "Pushed" },
    ready_at: 0,
    attempts: 0,
  };
  const delivery = async (secret: string, body: unknown) => {
    const raw = JSON.stringify(body);
    const headers = await signDelivery(secret, raw);
    return new Request("http://worker.test/zizq", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: raw });
  };

  it("runs a signed delivery through the Router and answers the outcome for the relay to apply", async () => {
    const secret = generateSecret();
    const response = await call(await delivery(secret, frame), { ...env, PUSH_SECRET: secret });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: frame.id, outcome: "completed", settled: false });
  });

  it("refuses a delivery signed with another secret (401), and a payload failing its schema (422)", async () => {
    const secret = generateSecret();
    expect((await call(await delivery(generateSecret(), frame), { ...env, PUSH_SECRET: secret })).status).toBe(401);
    const bad = { ...frame, id: "000000000000000000000bad01", payload: { to: "not an email", subject: "x" } };
    const refused = await call(await delivery(secret, bad), { ...env, PUSH_SECRET: secret });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ id: bad.id, outcome: "killed", settled: false });
  });

  it("is not there without PUSH_SECRET", async () => {
    expect((await call(await delivery(generateSecret(), frame))).status).toBe(404);
  });
});

describe("cron drain", () => {
  it("enqueues 250 jobs, streams and acks them all within the budget, and stops with nothing in flight", async () => {
    const emails = Array.from({ length: 250 }, (_, i) => ({ to: `user${i}@example.com`, subject: "Welcome" }));
    const enqueued = await call(post(emails));
    expect(enqueued.status).toBe(202);
    expect(await client.jobs({ queue: "emails", status: ["ready"] }).count()).toBe(250);

    const log = vi.spyOn(console, "info").mockImplementation(() => undefined);
    const ctx = createExecutionContext();
    const started = performance.now();
    await worker.scheduled(createScheduledController({ cron: "* * * * *", scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);
    const elapsed = performance.now() - started;

    expect(log).toHaveBeenCalledTimes(1);
    const [line, summary] = log.mock.calls[0]!;
    expect(line).toMatch(/^zizq drain \(\* \* \* \* \*\): 250 jobs \(250 completed, 0 failed\) in \d+ ms, ended by idle$/);
    expect(summary).toMatchObject({ processed: 250, completed: 250, failed: 0, reason: "idle" });
    expect(elapsed).toBeLessThan(25_000);
    // Acked: completed jobs are purged at once (no retention), so nothing of the queue is left in
    // any status (none handed back unacked, in flight, waiting for a retry, or dead), and the
    // take stream is closed.
    expect(await serverState(client, "emails")).toEqual({ ready: 0, inFlight: 0, scheduled: 0, dead: 0, streams: 0 });
    expect(await client.jobs({ queue: "emails" }).count()).toBe(0);
  }, 30_000);
});

// The same Worker tested as docs/testing.md shows users: its client bound (through the ZIZQ_MTLS
// service binding) to createTestClient's in-memory server in this isolate, no sockets.
registerWalk({ describe, test, beforeAll, afterAll }, "under the test helpers", helpersWalk({ fetch: worker.fetch, router, SendEmail }), vitestAssert);

describe("the vitest matchers", () => {
  expect.extend(zizqMatchers);

  it("assert on what the Worker's producer route enqueued", async () => {
    const zizq = createTestClient();
    try {
      const env: Env = { ZIZQ_URL: "http://zizq.test", ZIZQ_MTLS: zizq.server };
      const ctx = createExecutionContext();
      expect((await worker.fetch(post({ to: "m@example.com", subject: "Matched" }), env, ctx)).status).toBe(202);
      await waitOnExecutionContext(ctx);
      expect(zizq).toHaveEnqueued(SendEmail, { subject: "Matched" });
      expect(zizq).toHaveEnqueuedTimes(SendEmail, 1);
      expect(zizq).not.toHaveEnqueued(SendEmail, { to: "other@example.com" });
    } finally {
      zizq.close();
    }
  });
});
