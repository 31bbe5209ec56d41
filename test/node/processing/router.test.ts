/**
 * The Router: payloads checked against and typed from the job's schema, and every way a handler
 * can end mapped to the outcome the worker acks or nacks — then those outcomes applied to jobs
 * really taken from the in-memory server, to see the server states they lead to.
 */
import * as v from "valibot";
import { describe, expect, expectTypeOf, it } from "vitest";
import { Client, defineJob, type Failure, type Job, ZizqArgumentError, ZizqError, ZizqNotFoundError, ZizqValidationError } from "../../../src/index.ts";
import { createTestServer } from "../../../src/testing/index.ts";
import { NonRetryableError, RetryAfterError } from "../../../src/processing/handler-errors.ts";
import { MAX_FAILURE_TEXT_BYTES, type Outcome } from "../../../src/processing/outcome.ts";
import { type HandlerContext, type Logger, Router } from "../../../src/processing/router.ts";

const NOW = 1_700_000_000_000;
const now = () => NOW;

const SendEmail = defineJob({ type: "send_email", queue: "emails", schema: v.object({ to: v.string(), n: v.number() }) });
const Remind = defineJob({
  type: "remind",
  queue: "emails",
  schema: v.pipe(
    v.object({ to: v.string(), at: v.string() }),
    v.transform((input) => ({ to: input.to, at: new Date(input.at) })),
  ),
});
const Untyped = defineJob<{ id: string }>({ type: "untyped", queue: "misc" });

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const ctx = () => ({ signal: new AbortController().signal, log: silent });

function jobOf(type: string, payload: unknown, attempts = 0): Job<unknown> {
  return { id: `id-${type}`, type, queue: "q", priority: 32768, status: "in_flight", readyAt: NOW, attempts, payload, budgets: [] };
}

/** The failure of a failed outcome; fails the test on a completed one. */
function failureOf(outcome: Outcome): Failure {
  if (outcome.kind !== "failed") throw new Error(`expected a failed outcome, got ${outcome.kind}`);
  return outcome.failure;
}

/** Dispatches one job to a router whose only route throws `thrown`. */
async function throwing(thrown: unknown): Promise<Outcome> {
  const router = new Router().route(Untyped, () => {
    throw thrown;
  });
  return router.dispatch(jobOf("untyped", { id: "1" }), ctx(), now);
}

const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;

describe("Router types", () => {
  it("types the payload from the schema's output and rejects a handler of another payload", () => {
    new Router()
      .route(Remind, (payload, context) => {
        expectTypeOf(payload).toEqualTypeOf<{ to: string; at: Date }>();
        expectTypeOf(context).toEqualTypeOf<HandlerContext>();
      })
      .route(Untyped, async (payload) => {
        expectTypeOf(payload).toEqualTypeOf<{ id: string }>();
      })
      .fallback((job) => {
        expectTypeOf(job).toEqualTypeOf<Job<unknown>>();
      });
    // @ts-expect-error: the handler wants the schema's input, not its output
    new Router().route(Remind, (payload: { to: string; at: string }) => payload);
    // @ts-expect-error: a payload the schema does not produce
    new Router().route(SendEmail, (payload: number) => payload);
    // @ts-expect-error: a route needs a job definition, not a type name
    expect(() => new Router().route("send_email", () => {})).toThrow(ZizqArgumentError);
    const fromConsole: Logger = console;
    expect(fromConsole).toBe(console);
  });
});

describe("Router.dispatch", () => {
  it("runs the route with the validated (transformed) payload and the context; success completes", async () => {
    const seen: { payload: unknown; context: HandlerContext }[] = [];
    const router = new Router().route(Remind, async (payload, context) => {
      seen.push({ payload, context });
    });
    const job = jobOf("remind", { to: "a@example.com", at: "2024-01-02T03:04:05.000Z" }, 2);
    const lines: unknown[] = [];
    const context = { ...ctx(), log: { ...silent, info: (message: string, details?: unknown) => void lines.push([message, details]) } };
    expect(await router.dispatch(job, context, now)).toEqual({ kind: "completed" });
    expect(seen).toEqual([
      { payload: { to: "a@example.com", at: new Date("2024-01-02T03:04:05.000Z") }, context: { job, attempt: 3, signal: context.signal, log: expect.any(Object) } },
    ]);
    expect(seen[0]!.context.signal).toBe(context.signal);
    // ctx.log is the dispatcher's logger with the job's fields on every line.
    seen[0]!.context.log.info("sent", { to: "a@example.com" });
    expect(lines).toEqual([["sent", { jobId: job.id, jobType: "remind", queue: job.queue, attempt: 3, to: "a@example.com" }]]);
    // The context is its own logger, yet a JSON logger handed it still serialises it.
    expect(JSON.parse(JSON.stringify({ ctx: seen[0]!.context }))).toEqual({ ctx: { job: JSON.parse(JSON.stringify(job)), attempt: 3 } });
    expect({ ...seen[0]!.context }.log).toBe(seen[0]!.context.log);
  });

  it("hands a schema-less definition's payload over as is, and completes on a sync return", async () => {
    let got: unknown;
    const router = new Router().route(Untyped, (payload) => {
      got = payload;
      return "ignored";
    });
    const payload = { id: "x" };
    expect(await router.dispatch(jobOf("untyped", payload), ctx(), now)).toEqual({ kind: "completed" });
    expect(got).toBe(payload);
  });

  it("kills a payload that fails its schema, naming every issue's path, without running the handler", async () => {
    let ran = false;
    const router = new Router().route(SendEmail, () => {
      ran = true;
    });
    const one = failureOf(await router.dispatch(jobOf("send_email", { to: "a", n: "x" }), ctx(), now));
    expect(one).toMatchObject({ errorType: "ZizqValidationError", kill: true });
    expect(one.message).toMatch(/^invalid send_email payload: payload\.n: /);
    const outcome = await router.dispatch(jobOf("send_email", { to: 1, n: "x" }), ctx(), now);
    const two = failureOf(outcome);
    expect(two).toMatchObject({ errorType: "ZizqValidationError", kill: true });
    expect(two.message).toMatch(/^invalid send_email payload: payload\.to: .+; payload\.n: /);
    expect(two.backtrace).toMatch(/^ZizqValidationError: /);
    expect(two.retryAt).toBeUndefined();
    expect(outcome.kind === "failed" && outcome.error).toBeInstanceOf(ZizqValidationError);
    expect(ran).toBe(false);
  });

  it("fails, retryably, a schema that throws rather than reporting issues", async () => {
    const Flaky = defineJob({
      type: "flaky",
      queue: "q",
      schema: {
        "~standard": {
          version: 1,
          vendor: "test",
          validate: async () => {
            throw new TypeError("lookup failed");
          },
        },
      },
    });
    const failure = failureOf(await new Router().route(Flaky, () => {}).dispatch(jobOf("flaky", {}), ctx(), now));
    expect(failure).toMatchObject({ message: "lookup failed", errorType: "TypeError" });
    expect(failure.kill).toBeUndefined();
  });

  it("a ZizqValidationError thrown by the handler itself (a bad enqueue) is the handler's, retryable failure", async () => {
    const router = new Router().route(Untyped, () => SendEmail.validate({}));
    const failure = failureOf(await router.dispatch(jobOf("untyped", { id: "1" }), ctx(), now));
    expect(failure.errorType).toBe("ZizqValidationError");
    expect(failure.kill).toBeUndefined();
  });

  it("kills a NonRetryableError, with its name, message and stack", async () => {
    const failure = failureOf(await throwing(new NonRetryableError("card declined")));
    expect(failure).toMatchObject({ message: "card declined", errorType: "NonRetryableError", kill: true });
    expect(failure.backtrace).toMatch(/^NonRetryableError: card declined\n\s+at /);
    expect(failure.retryAt).toBeUndefined();

    class CardDeclined extends NonRetryableError {
      override name = "CardDeclined";
    }
    expect(failureOf(await throwing(new CardDeclined("no")))).toMatchObject({ errorType: "CardDeclined", kill: true });
    // Users throw these; a `catch` that singles out the library's own errors must not see them.
    expect(new NonRetryableError("x")).not.toBeInstanceOf(ZizqError);
    expect(new RetryAfterError(1)).not.toBeInstanceOf(ZizqError);
  });

  it("RetryAfterError in ms retries at now + ms; with a Date, at that time; never kills", async () => {
    const inMs = failureOf(await throwing(new RetryAfterError(90_000, "rate limited")));
    expect(inMs).toMatchObject({ message: "rate limited", errorType: "RetryAfterError", retryAt: NOW + 90_000 });
    expect(inMs.kill).toBeUndefined();
    expect(inMs.backtrace).toMatch(/^RetryAfterError: rate limited\n/);

    const at = new Date(NOW + 3_600_000);
    const atDate = failureOf(await throwing(new RetryAfterError(at)));
    expect(atDate).toMatchObject({ message: `retry at ${at.toISOString()}`, retryAt: at.getTime() });
    expect(atDate.kill).toBeUndefined();
    expect(new RetryAfterError(0).message).toBe("retry after 0 ms");
    expect(new RetryAfterError(5).after).toBe(5);
  });

  it("RetryAfterError refuses a negative, non-finite or invalid time at the throw site", () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, new Date(Number.NaN), "5m" as unknown as number]) {
      expect(() => new RetryAfterError(bad)).toThrow(ZizqArgumentError);
    }
    // A past Date is a valid "retry now".
    expect(new RetryAfterError(new Date(0)).after).toEqual(new Date(0));
  });

  it("any other Error fails retryably with its message, type and stack", async () => {
    const type = failureOf(await throwing(new TypeError("x is undefined")));
    expect(type).toMatchObject({ message: "x is undefined", errorType: "TypeError" });
    expect(type.backtrace).toMatch(/^TypeError: x is undefined\n\s+at /);
    expect(type.kill).toBeUndefined();
    expect(type.retryAt).toBeUndefined();

    class GatewayDown extends Error {}
    expect(failureOf(await throwing(new GatewayDown("502")))).toMatchObject({ message: "502", errorType: "GatewayDown" });
    expect(failureOf(await throwing(new Error("plain")))).toMatchObject({ message: "plain", errorType: "Error" });
    const rejected = await new Router().route(Untyped, async () => Promise.reject(new RangeError("async"))).dispatch(jobOf("untyped", {}), ctx(), now);
    expect(failureOf(rejected)).toMatchObject({ message: "async", errorType: "RangeError" });
  });

  it("non-Error throws fail retryably with a readable message and the value's type", async () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    const cases: [unknown, string, string][] = [
      ["just a string", "just a string", "String"],
      [42, "42", "Number"],
      [null, "null", "null"],
      [undefined, "undefined", "undefined"],
      [{ code: "E1" }, '{"code":"E1"}', "Object"],
      [{ message: "error-like" }, "error-like", "Object"],
      [circular, "[object Object]", "Object"],
      [Object.create(null), "{}", "object"],
      [Symbol("s"), "Symbol(s)", "Symbol"],
    ];
    for (const [thrown, message, errorType] of cases) {
      const outcome = await throwing(thrown);
      expect(failureOf(outcome), String(message)).toEqual({ message, errorType });
      expect(outcome.kind === "failed" && outcome.error).toBe(thrown);
    }
  });

  it("never throws, even for a thrown value that cannot be read", async () => {
    const hostile = new Proxy(new Error("x"), {
      get() {
        throw new Error("trap");
      },
    });
    expect(failureOf(await throwing(hostile))).toEqual({ message: "a thrown value that could not be read", errorType: "Unknown" });
  });

  it("bounds the backtrace and message to 8 KiB of UTF-8, keeping the head, never splitting a character", async () => {
    const deep = new Error("deep");
    deep.stack = `Error: deep\n${"    at frame (file.ts:1:1)\n".repeat(5_000)}`;
    const failure = failureOf(await throwing(deep));
    expect(utf8Bytes(failure.backtrace!)).toBeLessThanOrEqual(MAX_FAILURE_TEXT_BYTES);
    expect(failure.backtrace).toMatch(/^Error: deep\n    at frame/);
    expect(failure.backtrace).toMatch(/… \(truncated\)$/);

    const wide = new Error("😀".repeat(10_000));
    const bounded = failureOf(await throwing(wide));
    expect(utf8Bytes(bounded.message)).toBeLessThanOrEqual(MAX_FAILURE_TEXT_BYTES);
    expect(bounded.message).toMatch(/^(😀)+\n… \(truncated\)$/u);
    expect(utf8Bytes(bounded.backtrace!)).toBeLessThanOrEqual(MAX_FAILURE_TEXT_BYTES);

    // Just under the cap in bytes (but long in UTF-16 units) is kept whole.
    const fits = "é".repeat(MAX_FAILURE_TEXT_BYTES / 2);
    expect(failureOf(await throwing(fits)).message).toBe(fits);
    expect(failureOf(await throwing(`${fits}x`)).message).toMatch(/\(truncated\)$/);
  });

  it("counts a handler that ends after its signal fired by what it did", async () => {
    // Each job's signal aborts while its handler runs, as a job timeout would.
    let controller = new AbortController();
    const router = new Router()
      .route(Untyped, async (_payload, { signal }) => {
        controller.abort(new DOMException("job timed out", "AbortError"));
        expect(signal.aborted).toBe(true);
      })
      .fallback(async (_job, { signal }) => {
        controller.abort(new DOMException("job timed out", "AbortError"));
        throw signal.reason;
      });
    expect(await router.dispatch(jobOf("untyped", {}), { signal: controller.signal, log: silent }, now)).toEqual({ kind: "completed" });
    controller = new AbortController();
    const failure = failureOf(await router.dispatch(jobOf("other", {}), { signal: controller.signal, log: silent }, now));
    expect(failure).toMatchObject({ message: "job timed out", errorType: "AbortError" });
    expect(failure.kill).toBeUndefined();
  });

  it("kills an unknown type when there is no fallback, naming the type", async () => {
    const router = new Router().route(Untyped, () => {});
    expect(failureOf(await router.dispatch(jobOf("mystery", {}), ctx(), now))).toEqual({
      message: 'no handler for job type "mystery"',
      errorType: "UnknownJobType",
      kill: true,
    });
  });

  it("sends unrouted types to the fallback with the raw job; routed types never reach it", async () => {
    const fell: { job: Job<unknown>; attempt: number }[] = [];
    const router = new Router()
      .route(Untyped, () => {})
      .fallback((job, context) => {
        fell.push({ job, attempt: context.attempt });
        if (job.type === "bad") throw new NonRetryableError("no");
      });
    const job = jobOf("mystery", { raw: true }, 4);
    expect(await router.dispatch(job, ctx(), now)).toEqual({ kind: "completed" });
    expect(await router.dispatch(jobOf("untyped", {}), ctx(), now)).toEqual({ kind: "completed" });
    expect(failureOf(await router.dispatch(jobOf("bad", {}), ctx(), now))).toMatchObject({ errorType: "NonRetryableError", kill: true });
    expect(fell.map((f) => [f.job.type, f.attempt])).toEqual([
      ["mystery", 5],
      ["bad", 1],
    ]);
    expect(fell[0]!.job).toBe(job);
  });

  it("refuses a second route for a type and a second fallback; has() reports routes", () => {
    const router = new Router().route(SendEmail, () => {}).fallback(() => {});
    const Again = defineJob({ type: "send_email", queue: "other" });
    expect(() => router.route(Again, () => {})).toThrow(ZizqArgumentError);
    expect(() => router.route(Again, () => {})).toThrow(/"send_email" is routed already/);
    expect(() => router.fallback(() => {})).toThrow(ZizqArgumentError);
    expect(() => router.route(Untyped, "nope" as never)).toThrow(/handler: expected a function/);
    expect(router.has("send_email")).toBe(true);
    expect(router.has("untyped")).toBe(false);
    expect(router.has("anything")).toBe(false);
  });
});

describe("Router outcomes applied to jobs taken from the test server", () => {
  it("completed → gone, kill → dead, retryAt → scheduled at that time, other → retried by backoff", async () => {
    const server = createTestServer({ now });
    const client = new Client({ url: "http://zizq.test", fetch: server.fetch });
    const Charge = defineJob({ type: "charge", queue: "payments", schema: v.object({ mode: v.string() }) });
    const retryAt = new Date(NOW + 3_600_000);
    const router = new Router()
      .route(SendEmail, () => {})
      .route(Charge, ({ mode }) => {
        if (mode === "kill") throw new NonRetryableError("card declined");
        if (mode === "retry_ms") throw new RetryAfterError(60_000, "rate limited");
        if (mode === "retry_date") throw new RetryAfterError(retryAt);
        if (mode === "boom") throw new TypeError("boom");
      });
    const ids = {
      ok: (await client.enqueue(SendEmail, { to: "a@example.com", n: 1 })).id,
      invalid: (await client.enqueueRaw({ type: "send_email", queue: "emails", payload: { to: 1 } })).id,
      unknown: (await client.enqueueRaw({ type: "mystery", queue: "misc", payload: null })).id,
      kill: (await client.enqueue(Charge, { mode: "kill" })).id,
      retryMs: (await client.enqueue(Charge, { mode: "retry_ms" })).id,
      retryDate: (await client.enqueue(Charge, { mode: "retry_date" })).id,
      boom: (await client.enqueue(Charge, { mode: "boom" })).id,
    };
    const count = Object.keys(ids).length;

    const controller = new AbortController();
    const reader = (await client.take({ prefetch: count, signal: controller.signal })).getReader();
    const outcomes = new Map<string, Outcome>();
    try {
      while (outcomes.size < count) {
        const { value: job, done } = await reader.read();
        if (done) throw new Error("the take stream ended early");
        const outcome = await router.dispatch(job, { signal: controller.signal, log: silent }, now);
        outcomes.set(job.id, outcome);
        if (outcome.kind === "completed") await client.ack(job.id);
        else await client.fail(job.id, failureOf(outcome));
      }
      expect(server.connections()[0]!.held).toEqual([]);
    } finally {
      controller.abort();
      await reader.cancel().catch(() => {});
      server.close();
    }

    expect(outcomes.get(ids.ok)).toEqual({ kind: "completed" });
    await expect(client.getJob(ids.ok)).rejects.toThrow(ZizqNotFoundError);

    for (const id of [ids.invalid, ids.unknown, ids.kill]) {
      expect(await client.getJob(id)).toMatchObject({ status: "dead", attempts: 1 });
    }
    const [invalid] = await client.errors(ids.invalid).toArray();
    expect(invalid).toMatchObject({ attempt: 1, errorType: "ZizqValidationError" });
    expect(invalid!.message).toMatch(/^invalid send_email payload: payload\.to: .+; payload\.n: /);
    expect(await client.errors(ids.unknown).toArray()).toMatchObject([
      { message: 'no handler for job type "mystery"', errorType: "UnknownJobType" },
    ]);
    const [killed] = await client.errors(ids.kill).toArray();
    expect(killed).toMatchObject({ message: "card declined", errorType: "NonRetryableError" });
    expect(killed!.backtrace).toMatch(/^NonRetryableError: card declined\n\s+at /);

    expect(await client.getJob(ids.retryMs)).toMatchObject({ status: "scheduled", readyAt: NOW + 60_000, attempts: 1 });
    expect(await client.getJob(ids.retryDate)).toMatchObject({ status: "scheduled", readyAt: retryAt.getTime(), attempts: 1 });
    expect(await client.errors(ids.retryMs).toArray()).toMatchObject([{ message: "rate limited", errorType: "RetryAfterError" }]);

    const boom = await client.getJob(ids.boom);
    expect(boom).toMatchObject({ status: "scheduled", attempts: 1 });
    expect(boom.readyAt).toBeGreaterThan(NOW);
    expect(await client.errors(ids.boom).toArray()).toMatchObject([{ message: "boom", errorType: "TypeError" }]);
  });
});
