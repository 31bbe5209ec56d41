/**
 * The test helpers of `zizq-edge/testing` against the real in-memory server: createTestClient,
 * the assertions, perform (acks and failures over the server's HTTP API) and the clock.
 */
import * as v from "valibot";
import { afterAll, beforeEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import { Client, defineJob, type Job, NonRetryableError, RetryAfterError, Router, ZizqArgumentError, ZizqError } from "../../../src/index.ts";
import { assertEnqueued, counts, createTestClient, createTestServer, enqueued, ZizqAssertionError } from "../../../src/testing/index.ts";

const SendEmail = defineJob({
  type: "send_email",
  queue: "emails",
  schema: v.object({ to: v.pipe(v.string(), v.email()), subject: v.string(), tags: v.optional(v.array(v.string())) }),
  retryLimit: 2,
  backoff: { exponent: 1, baseMs: 60_000, jitterMs: 0 },
});
const Resize = defineJob<{ image: string; width: number }>({ type: "resize", queue: "media" });

const START = Date.parse("2030-01-01T00:00:00Z");
const zizq = createTestClient({ startAt: START, license: "pro" });
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
beforeEach(() => zizq.reset());
afterAll(() => zizq.close());

describe("enqueued and the assertions", () => {
  it("finds jobs by definition and a partial, recursive payload match, in enqueue order", async () => {
    await zizq.client.enqueue(SendEmail, { to: "a@example.com", subject: "Hi", tags: ["x", "y"] });
    await zizq.client.enqueue(SendEmail, { to: "b@example.com", subject: "Hi" });
    await zizq.client.enqueue(Resize, { image: "a.png", width: 10 });

    expect(zizq.enqueued(SendEmail).map((job) => job.payload.to)).toEqual(["a@example.com", "b@example.com"]);
    expect(zizq.enqueued(SendEmail, { subject: "Hi" })).toHaveLength(2);
    expect(zizq.enqueued(SendEmail, { to: "a@example.com" })[0]).toMatchObject({ type: "send_email", queue: "emails", status: "ready" });
    // Arrays compare whole.
    expect(zizq.enqueued(SendEmail, { tags: ["x"] })).toEqual([]);
    expect(zizq.enqueued(SendEmail, { tags: ["x", "y"] })).toHaveLength(1);
    expect(enqueued(zizq.server, Resize, { width: 10 })).toHaveLength(1);
    expect(zizq.assertEnqueued(SendEmail, { subject: "Hi" }, { times: 2 })).toHaveLength(2);
    zizq.assertNotEnqueued(SendEmail, { to: "c@example.com" });
  });

  it("hands out copies: changing a payload it answered changes nothing on the server", async () => {
    await zizq.client.enqueue(Resize, { image: "a.png", width: 10 });
    zizq.enqueued(Resize)[0]!.payload.width = 99;
    const seen: number[] = [];
    await zizq.perform(
      new Router().route(Resize, (payload) => {
        seen.push(payload.width);
        payload.width = 7;
      }),
    );
    expect(seen).toEqual([10]);
    expect(zizq.enqueued(Resize, { width: 10 })).toHaveLength(1);
  });

  it("fails with a listing of what was enqueued, marking what matched", async () => {
    await zizq.client.enqueue(SendEmail, { to: "b@example.com", subject: "Hi" });
    await zizq.client.enqueue(Resize, { image: "a.png", width: 10 });
    await zizq.client.enqueue(Resize, { image: "b.png", width: 10 });

    const error = captured(() => zizq.assertEnqueued(SendEmail, { to: "a@example.com" }));
    expect(error).toBeInstanceOf(ZizqAssertionError);
    const lines = (error as Error).message.split("\n");
    expect(lines[0]).toBe('expected a send_email job with a payload matching {"to":"a@example.com"} to have been enqueued, found none');
    expect(lines[1]).toBe("send_email jobs enqueued since the last reset (1):");
    expect(lines[2]).toMatch(/^ {2}✗ \{"subject":"Hi","to":"b@example.com"\} {2}\(ready, id \w+\)$/);
    expect(lines[3]).toBe("Other jobs enqueued: resize × 2");

    expect(() => zizq.assertEnqueued(Resize, undefined, { times: 3 })).toThrow(/^expected 3 × resize job to have been enqueued, found 2\n/);
    expect(() => zizq.assertNotEnqueued(Resize, { image: "b.png" })).toThrow(/found 1\nresize jobs enqueued since the last reset \(2\):\n {2}✗ .*\n {2}✓ /);
  });

  it("keeps completed jobs the server removed at once, and counts by status", async () => {
    const ok = await zizq.client.enqueue(SendEmail, { to: "a@example.com", subject: "ok" });
    const bad = await zizq.client.enqueue(SendEmail, { to: "b@example.com", subject: "boom" });
    await zizq.client.enqueue(Resize, { image: "a.png", width: 10 }, { delay: "1h" });
    const deleted = await zizq.client.enqueue(Resize, { image: "b.png", width: 10 });
    await zizq.client.deleteJob(deleted.id);

    const router = new Router().route(SendEmail, async ({ subject }) => {
      if (subject === "boom") throw new TypeError("mail server said no");
    });
    await zizq.perform(router, { types: [SendEmail] });

    await expect(zizq.client.getJob(ok.id)).rejects.toThrow(/404/);
    expect(zizq.enqueued(SendEmail, { subject: "ok" })[0]).toMatchObject({ id: ok.id, status: "completed", completedAt: START });
    expect(zizq.counts()).toEqual({ scheduled: 2, ready: 0, in_flight: 0, completed: 1, dead: 0 });
    expect(zizq.counts({ type: Resize })).toEqual({ scheduled: 1, ready: 0, in_flight: 0, completed: 0, dead: 0 });
    expect(zizq.counts({ queue: "emails", type: "send_email" }).scheduled).toBe(1);
    expect(zizq.lastError(bad)).toMatchObject({ attempt: 1, message: "mail server said no", errorType: "TypeError", failedAt: START });
    expect(zizq.lastError(ok.id)).toBeUndefined();
    expect(() => zizq.lastError("nope")).toThrow(ZizqArgumentError);
  });

  it("work on a server of your own made with recordJobs, and on the pair's server", async () => {
    const server = createTestServer({ recordJobs: true });
    try {
      const client = new Client({ url: "http://zizq.test", fetch: server.fetch });
      await client.enqueue(Resize, { image: "own.png", width: 3 });
      expect(enqueued(server, Resize, { image: "own.png" })).toHaveLength(1);
      expect(counts(server)).toMatchObject({ ready: 1 });
      await client.reset();
      expect(enqueued(server, Resize)).toEqual([]);
    } finally {
      server.close();
    }
  });

  it("refuses a server that does not record jobs, and bad arguments, with argument errors", () => {
    const server = createTestServer();
    try {
      expect(() => enqueued(server, SendEmail)).toThrow(/server: does not record jobs: make it with createTestClient\(\), or createTestServer\(\{ recordJobs: true \}\)/);
      expect(() => assertEnqueued({} as never, SendEmail)).toThrow(ZizqArgumentError);
      expect(() => zizq.enqueued({ type: "x" } as never)).toThrow(/definition: expected a job type from defineJob/);
      expect(() => zizq.assertEnqueued(SendEmail, undefined, { times: -1 })).toThrow(/options.times: expected an integer ≥ 0/);
    } finally {
      server.close();
    }
  });
});

describe("perform", () => {
  it("runs every ready job in dispatch order with the Worker's outcomes, failing through the server", async () => {
    const ran: string[] = [];
    await zizq.client.enqueueRaw({ type: "mystery", queue: "emails", payload: {} });
    await zizq.client.enqueue(SendEmail, { to: "kill@example.com", subject: "k" }, { priority: 1 });
    await zizq.client.enqueue(SendEmail, { to: "retry@example.com", subject: "r" }, { priority: 2 });
    await zizq.client.enqueue(SendEmail, { to: "after@example.com", subject: "a" }, { priority: 3 });
    await zizq.client.enqueueRaw({ type: "send_email", queue: "emails", payload: { to: "not an email", subject: "s" }, priority: 4 });
    const router = new Router().route(SendEmail, async ({ to }, ctx) => {
      ran.push(`${to}#${ctx.attempt}`);
      if (to === "kill@example.com") throw new NonRetryableError("no such mailbox");
      if (to === "retry@example.com") throw new Error("flaky");
      if (to === "after@example.com") throw new RetryAfterError(30_000);
    });

    const summary = await zizq.perform(router, { logger: quiet });

    expect(ran).toEqual(["kill@example.com#1", "retry@example.com#1", "after@example.com#1"]);
    expect(summary).toMatchObject({ completed: 0, retried: 2, dead: 3 });
    expect(summary.jobs.map(({ type, outcome, attempt }) => `${type}:${outcome}:${attempt}`)).toEqual([
      "send_email:dead:1",
      "send_email:retried:1",
      "send_email:retried:1",
      "send_email:dead:1",
      "mystery:dead:1",
    ]);
    expect(summary.jobs[0]!.error).toBeInstanceOf(NonRetryableError);
    expect(summary.jobs[3]!.failure).toMatchObject({ errorType: "ZizqValidationError", kill: true });
    expect(summary.jobs[4]!.failure).toMatchObject({ errorType: "UnknownJobType", kill: true });
    // Retries are the server's: the backoff (1^1 s + 60 s, no jitter) and RetryAfterError's time, on the test clock.
    expect(zizq.enqueued(SendEmail, { to: "retry@example.com" })[0]).toMatchObject({ status: "scheduled", readyAt: START + 61_000, attempts: 1 });
    expect(zizq.enqueued(SendEmail, { to: "after@example.com" })[0]).toMatchObject({ status: "scheduled", readyAt: START + 30_000, attempts: 1 });
    expect(zizq.lastError(summary.jobs[1]!.id)).toMatchObject({ message: "flaky", errorType: "Error" });

    // Nothing ready until the clock reaches a retry; then it runs as attempt 2.
    expect((await zizq.perform(router)).jobs).toEqual([]);
    zizq.advance("30s");
    expect((await zizq.perform(router, { logger: quiet })).jobs).toMatchObject([{ id: summary.jobs[2]!.id, attempt: 2, outcome: "retried" }]);
    zizq.advance(31_000);
    const third = await zizq.perform(router, { logger: quiet });
    // A RetryAfterError's time wins over the retry limit, as on the server.
    expect(third.jobs.map(({ id, attempt, outcome }) => [id, attempt, outcome])).toEqual([
      [summary.jobs[1]!.id, 2, "retried"],
      [summary.jobs[2]!.id, 3, "retried"],
    ]);
    // retryLimit 2: the third failure of "retry@" is its last.
    zizq.advance("1h");
    expect((await zizq.perform(router, { types: [SendEmail], queues: ["emails"], logger: quiet })).jobs[0]).toMatchObject({ id: summary.jobs[1]!.id, attempt: 3, outcome: "dead" });
  });

  it("runs the jobs handlers enqueue (recursive by default), or only those ready at the call", async () => {
    const Step = defineJob<{ n: number }>({ type: "step", queue: "steps" });
    const router = new Router().route(Step, async ({ n }) => {
      if (n < 3) await zizq.client.enqueue(Step, { n: n + 1 });
    });
    await zizq.client.enqueue(Step, { n: 0 });
    expect((await zizq.perform(router, { recursive: false })).jobs).toHaveLength(1);
    zizq.assertEnqueued(Step, { n: 1 });
    expect(zizq.counts({ type: Step }).ready).toBe(1);
    const rest = await zizq.perform(router);
    expect(rest).toMatchObject({ completed: 3, retried: 0, dead: 0 });
    expect(zizq.enqueued(Step).map((job) => [job.payload.n, job.status])).toEqual([
      [0, "completed"],
      [1, "completed"],
      [2, "completed"],
      [3, "completed"],
    ]);
  });

  it("recursive: false runs a job that retries at once (same id) once; with recursion it runs until maxJobs", async () => {
    const Flaky = defineJob<{ n: number }>({ type: "flaky", queue: "flaky" });
    let runs = 0;
    const router = new Router().route(Flaky, () => {
      runs++;
      throw new RetryAfterError(0);
    });
    const { id } = await zizq.client.enqueue(Flaky, { n: 1 });

    const once = await zizq.perform(router, { recursive: false, logger: quiet });
    expect(runs).toBe(1);
    expect(once).toMatchObject({ jobs: [{ id, attempt: 1, outcome: "retried" }], completed: 0, retried: 1, dead: 0 });
    expect(zizq.enqueued(Flaky).map((job) => [job.id, job.status, job.attempts])).toEqual([[id, "ready", 1]]);

    runs = 0;
    const error = await zizq.perform(router, { maxJobs: 5, logger: quiet }).catch((thrown: unknown) => thrown);
    expect(runs).toBe(5);
    expect(error).toBeInstanceOf(ZizqError);
    expect((error as Error).message).toMatch(new RegExp(`^perform ran maxJobs \\(5\\) jobs and more are ready \\(next: flaky job ${id}\\)`));
    expect(zizq.enqueued(Flaky).map((job) => [job.id, job.status, job.attempts])).toEqual([[id, "ready", 6]]);
  });

  it("throws a ZizqError when maxJobs ran and more are ready", async () => {
    const Loop = defineJob<{ n: number }>({ type: "loop", queue: "loops" });
    const router = new Router().route(Loop, async ({ n }) => {
      await zizq.client.enqueue(Loop, { n: n + 1 });
    });
    await zizq.client.enqueue(Loop, { n: 0 });
    const error = await zizq.perform(router, { maxJobs: 5 }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ZizqError);
    expect((error as Error).message).toMatch(/^perform ran maxJobs \(5\) jobs and more are ready \(next: loop job \w+\): raise maxJobs/);
    expect(zizq.enqueued(Loop)).toHaveLength(6);
    expect(zizq.counts({ type: Loop })).toMatchObject({ completed: 5, ready: 1, in_flight: 0 });
  });

  it("runs only the queues and types asked for; the others stay ready", async () => {
    const ran: string[] = [];
    const router = new Router()
      .route(SendEmail, async ({ to }) => void ran.push(to))
      .route(Resize, async ({ image }) => void ran.push(image));
    await zizq.client.enqueue(Resize, { image: "a.png", width: 1 }, { priority: 0 });
    await zizq.client.enqueue(SendEmail, { to: "a@example.com", subject: "s" });
    expect((await zizq.perform(router, { types: ["send_email"] })).completed).toBe(1);
    expect((await zizq.perform(router, { queues: ["emails"] })).completed).toBe(0);
    expect(zizq.counts({ type: Resize }).ready).toBe(1);
    expect((await zizq.perform(router, { queues: ["media"], types: [Resize] })).completed).toBe(1);
    expect(ran).toEqual(["a@example.com", "a.png"]);
  });

  it("waits for budgets as the server dispatches: a parked job runs once its budget refills on the test clock", async () => {
    const Call = defineJob<{ n: number }>({ type: "call", queue: "partner", budgets: [{ key: "partner-api" }] });
    const Audit = defineJob<{ n: number }>({ type: "audit", queue: "partner", budgets: [{ key: "partner-api" }] });
    await zizq.client.budgets.define({ key: "partner-api", allocation: 1, strategy: { type: "time_based", durationMs: 60_000 } });
    const router = new Router().route(Call, () => undefined).route(Audit, () => undefined);
    await zizq.client.enqueue(Call, { n: 1 });
    await zizq.client.enqueue(Audit, { n: 2 });
    await zizq.client.enqueue(Call, { n: 3 });

    expect((await zizq.perform(router)).jobs.map((job) => job.type)).toEqual(["call"]);
    zizq.advance("1m");
    // The budget's head is the audit job: a type filter that refuses it holds back the calls behind it.
    expect((await zizq.perform(router, { types: [Call] })).jobs).toEqual([]);
    expect((await zizq.perform(router, { types: [Audit] })).jobs.map((job) => job.type)).toEqual(["audit"]);
    zizq.advance("1m");
    expect((await zizq.perform(router)).jobs.map((job) => job.type)).toEqual(["call"]);
    expect(zizq.counts()).toMatchObject({ ready: 0, completed: 3 });
  });

  it("refuses bad options, naming them", async () => {
    const router = new Router();
    await expect(zizq.perform(router, { maxJobs: 0 })).rejects.toThrow(/options.maxJobs: expected an integer ≥ 1/);
    await expect(zizq.perform(router, { queues: [""] })).rejects.toThrow(ZizqArgumentError);
    await expect(zizq.perform(router, { types: [{} as never] })).rejects.toThrow(/options.types\[0\]: expected a job type/);
    await expect(zizq.perform(router, { recursive: "yes" as never })).rejects.toThrow(/options.recursive/);
    await expect(zizq.perform(router, { max: 1 } as never)).rejects.toThrow(ZizqArgumentError);
    await expect(zizq.perform({} as never)).rejects.toThrow(/router: expected a Router/);
  });
});

describe("the clock", () => {
  it("promotes scheduled jobs and fires cron entries on advance, with no timer set", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "setInterval"] });
    try {
      const local = createTestClient({ startAt: START, license: "pro" });
      const job = await local.client.enqueue(Resize, { image: "a.png", width: 1 }, { delay: "5m" });
      expect(job).toMatchObject({ status: "scheduled", readyAt: START + 300_000 });
      await local.client.crons.put("nightly", { entries: [{ name: "resize", expression: "0 0 * * *", job: Resize.with({ image: "n.png", width: 2 }) }] });
      expect(vi.getTimerCount()).toBe(0);
      expect(local.advance("4m")).toBe(START + 240_000);
      expect(local.counts().scheduled).toBe(1);
      local.advance("1m");
      expect(local.counts()).toMatchObject({ scheduled: 0, ready: 1 });
      local.advance("1d");
      local.assertEnqueued(Resize, { image: "n.png" }, { times: 1 });
      expect(vi.getTimerCount()).toBe(0);
      local.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it("reset empties the server, restores the licence and rewinds the clock", async () => {
    zizq.advance("1h");
    zizq.server.setLicense("free");
    await zizq.client.enqueue(Resize, { image: "a.png", width: 1 });
    await zizq.reset();
    expect(zizq.now()).toBe(START);
    expect(zizq.enqueued(Resize)).toEqual([]);
    expect(await zizq.client.jobs().count()).toBe(0);
    expect(await zizq.client.crons.list()).toEqual([]);
    expect(() => zizq.advance("-1m" as never)).toThrow(/by: expected a duration/);
  });
});

describe("types", () => {
  // Compiled, not run: tsc checks these lines.
  const typesOnly = () => {
    expectTypeOf(zizq.enqueued(SendEmail)).toEqualTypeOf<Job<{ to: string; subject: string; tags?: string[] | undefined }>[]>();
    expectTypeOf(zizq.assertEnqueued(Resize, { width: 1 })).toEqualTypeOf<Job<{ image: string; width: number }>[]>();
    expectTypeOf(enqueued(zizq, Resize)[0]!.payload.width).toEqualTypeOf<number>();
    // @ts-expect-error: no such payload field
    zizq.enqueued(Resize, { height: 1 });
    // @ts-expect-error: a field of the wrong type
    zizq.assertEnqueued(SendEmail, { to: 7 });
    new Router().route(SendEmail, (payload) => expectTypeOf(payload.subject).toEqualTypeOf<string>());
  };
  it("flow from defineJob into enqueued, the assertions and perform's handlers, with no casts", () => {
    expectTypeOf(typesOnly).toBeFunction();
  });
});

function captured(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("it did not throw");
}
