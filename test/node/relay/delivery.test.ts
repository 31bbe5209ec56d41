/** How `PushDelivery` maps an endpoint's answer (or its absence) to the Worker's Outcome, with a fake fetch. */
import { describe, expect, it } from "vitest";
import type { Job } from "../../../src/types/job.ts";
import { ZizqError } from "../../../src/errors/zizq-error.ts";
import { verifyDelivery } from "../../../src/push/signature.ts";
import { PushDelivery } from "../../../src/relay/relay.ts";
import { generateSecret, recordingLogger } from "./harness.ts";

const job: Job<unknown> = { id: "j1", type: "t", queue: "q", priority: 0, status: "in_flight", readyAt: 1, attempts: 0, payload: { a: 1 }, dequeuedAt: 2, budgets: [] };
const ctx = () => ({ signal: new AbortController().signal, log: recordingLogger() });
const NOW = 1_000_000;

function deliveryAnswering(answer: (request: Request) => Response | Promise<Response>, extra: Partial<ConstructorParameters<typeof PushDelivery>[0]> = {}) {
  const secret = generateSecret();
  const logger = recordingLogger();
  const seen: Request[] = [];
  const delivery = new PushDelivery({
    endpoint: "https://push.example/zizq",
    secret,
    logger,
    now: () => NOW,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      seen.push(request.clone());
      return answer(request);
    },
    ...extra,
  });
  return { delivery, logger, seen, secret };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

describe("PushDelivery", () => {
  it("reads at most 64 KiB of an answer: a longer one is a failed delivery, its stream cancelled", async () => {
    let cancelled = false;
    let sent = 0;
    const chunk = new TextEncoder().encode("x".repeat(16 * 1024));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"error":"'));
      },
      pull(controller) {
        sent++;
        controller.enqueue(chunk);
      },
      cancel() {
        cancelled = true;
      },
    });
    const { delivery } = deliveryAnswering(() => new Response(body, { status: 500, headers: { "content-type": "application/json" } }));
    const outcome = await delivery.dispatch(job, ctx());
    expect(outcome).toMatchObject({ kind: "failed", failure: { message: "push endpoint answered 500 for job j1", errorType: "PushDeliveryError" } });
    expect(cancelled).toBe(true);
    expect(sent).toBeLessThan(8);
  });

  it("posts the job as signed wire JSON", async () => {
    const { delivery, seen, secret } = deliveryAnswering(() => json(200, { id: "j1", outcome: "completed", settled: false }));
    expect(await delivery.dispatch(job, ctx())).toEqual({ kind: "completed" });
    const request = seen[0]!;
    const body = await request.text();
    expect(JSON.parse(body)).toEqual({ id: "j1", type: "t", queue: "q", priority: 0, status: "in_flight", ready_at: 1, attempts: 0, payload: { a: 1 }, dequeued_at: 2 });
    expect(request.headers.get("content-type")).toBe("application/json");
    await expect(verifyDelivery(secret, request.headers, body)).resolves.toBeDefined();
  });

  it("maps each outcome status", async () => {
    const cases: [Response, unknown][] = [
      [new Response(null, { status: 204 }), { kind: "completed" }],
      [json(200, { id: "j1", outcome: "completed", settled: true }), { kind: "settled", completed: true }],
      [json(500, { id: "j1", outcome: "failed", settled: true, error: "x" }), { kind: "settled", completed: false }],
      [json(500, { id: "j1", outcome: "failed", settled: false, error: "boom", errorType: "TypeError" }), { kind: "failed", failure: { message: "boom", errorType: "TypeError" } }],
      [json(422, { id: "j1", outcome: "killed", settled: false, error: "bad", errorType: "ZizqValidationError" }), { kind: "failed", failure: { message: "bad", errorType: "ZizqValidationError", kill: true } }],
      [json(503, { id: "j1", outcome: "retry", settled: false, error: "later", errorType: "RetryAfterError", retryAt: NOW + 5 }), { kind: "failed", failure: { message: "later", errorType: "RetryAfterError", retryAt: NOW + 5 } }],
      [json(503, { id: "j1", outcome: "retry", settled: false, error: "later" }, { "retry-after": "7" }), { kind: "failed", failure: { message: "later", errorType: "PushEndpoint503", retryAt: NOW + 7000 } }],
      // The endpoint refuses a body over its cap before running it: that job can never run there.
      [json(413, { error: "payload_too_large" }), { kind: "failed", failure: { message: "payload_too_large", errorType: "PushEndpoint413", kill: true } }],
    ];
    for (const [response, outcome] of cases) {
      const { delivery } = deliveryAnswering(() => response);
      expect(await delivery.dispatch(job, ctx())).toEqual(outcome);
    }
  });

  it("fails a delivery without a usable answer retryably, as PushDeliveryError", async () => {
    for (const answer of [
      () => new Response("<html>bad gateway</html>", { status: 502 }),
      () => new Response("oops", { status: 500 }),
      () => json(409, { error: "replayed_delivery" }),
      () => new Response(null, { status: 302, headers: { location: "https://elsewhere" } }),
      () => Promise.reject(new TypeError("fetch failed")),
    ]) {
      const { delivery } = deliveryAnswering(answer);
      const outcome = await delivery.dispatch(job, ctx());
      expect(outcome.kind).toBe("failed");
      if (outcome.kind !== "failed") continue;
      expect(outcome.failure.errorType).toBe("PushDeliveryError");
      expect(outcome.failure.kill).toBeUndefined();
      expect(outcome.failure.retryAt).toBeUndefined();
    }
  });

  it("times out a slow endpoint as PushTimeoutError", async () => {
    const { delivery } = deliveryAnswering(
      (request) =>
        new Promise((_, reject) => request.signal.addEventListener("abort", () => reject(request.signal.reason))),
      { timeoutMs: 50 },
    );
    const outcome = await delivery.dispatch(job, ctx());
    expect(outcome.kind === "failed" && outcome.failure.errorType).toBe("PushTimeoutError");
  });

  it("a 401 is logged once per pause, names the likely causes and retries no sooner than the pause", async () => {
    const { delivery, logger } = deliveryAnswering(() => json(401, { error: "invalid_signature" }), { unauthorizedPause: 60_000 });
    const outcomes = await Promise.all([delivery.dispatch(job, ctx()), delivery.dispatch(job, ctx())]);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ kind: "failed", failure: { errorType: "PushUnauthorizedError", retryAt: NOW + 60_000 } });
    }
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]).toMatch(/invalid_signature.*secret.*clock/s);
    // The next delivery waits out the pause; a stop (its signal) releases it without a request.
    const stop = new AbortController();
    const waiting = delivery.dispatch(job, { signal: stop.signal, log: logger });
    stop.abort(new Error("stopping"));
    expect(await waiting).toMatchObject({ kind: "failed", failure: { errorType: "PushDeliveryError" } });
    expect(delivery.stats.delivered).toBe(2);
  });

  it("refuses a bad secret or endpoint at construction", () => {
    expect(() => new PushDelivery({ endpoint: "https://x", secret: "nope" })).toThrow(ZizqError);
    for (const endpoint of ["ftp://x", "not a url"]) {
      expect(() => new PushDelivery({ endpoint, secret: generateSecret() })).toThrow(expect.objectContaining({ field: "endpoint" }));
    }
    expect(() => new PushDelivery({ endpoint: "https://x", secret: [] })).toThrow(ZizqError);
  });
});
