/**
 * The Worker walk every runtime runs (Node, Bun, Deno, workerd): typed jobs through a Router,
 * a bounded `drain`, every failure outcome as the server records it, the hooks and stats, a
 * graceful `run(signal)` stop, `drain({ maxJobs })`, and a job timeout, in the given wire
 * format. It uses only the web platform, and talks to a fresh in-memory test server per step,
 * in-process through `server.fetch`. Every wait is bounded, so a hung worker fails the walk.
 */
import * as v from "valibot";
import {
  Client,
  defineJob,
  type Format,
  type HandlerContext,
  type Job,
  type JobStatus,
  JobTimeoutError,
  type Logger,
  NonRetryableError,
  RetryAfterError,
  Router,
  Worker,
  type WorkerHooks,
  WorkerStoppedError,
  ZizqNotFoundError,
} from "../../src/index.ts";
import { createTestServer } from "../../src/testing/index.ts";
import type { TestServer } from "../../src/testing/types.ts";
import type { Assert } from "./assert.ts";
import { sleep, WAIT_MS, within } from "./wait.ts";
import type { Walk } from "./walk.ts";

/** Every status a job can be left in, but `completed` (purged at once under the default retention). */
const UNFINISHED: JobStatus[] = ["ready", "scheduled", "in_flight"];

// --- job types ---

/** A schema with a transform: the handler must see the schema's output, not the raw payload. */
const SendEmail = defineJob({
  type: "send_email",
  queue: "emails",
  schema: v.pipe(
    v.object({ to: v.string() }),
    v.transform((input) => ({ to: input.to, domain: input.to.slice(input.to.indexOf("@") + 1) })),
  ),
});
/** No schema: the payload is typed only. */
const Resize = defineJob<{ width: number }>({ type: "resize", queue: "images" });
/** Not routed: the fallback handles it. */
const Audit = defineJob<{ n: number }>({ type: "audit", queue: "misc" });

const Fatal = defineJob<{ why: string }>({ type: "fatal", queue: "failures" });
const Later = defineJob<{ n: number }>({ type: "later", queue: "failures" });
const Boom = defineJob<{ n: number }>({ type: "boom", queue: "failures" });
const Strict = defineJob({ type: "strict", queue: "failures", schema: v.object({ n: v.number() }) });

const Slow = defineJob<{ i: number }>({ type: "slow", queue: "slow" });
const Quick = defineJob<{ i: number }>({ type: "quick", queue: "slow" });
const Hang = defineJob<{ i: number }>({ type: "hang", queue: "slow" });

// --- helpers ---

/** Resolves when `signal` aborts (at once if it has). */
const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });

/** A logger that keeps what the worker says, for assertions, instead of printing it. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: () => {},
    info: () => {},
    warn: (message) => void lines.push(`warn: ${message}`),
    error: (message) => void lines.push(`error: ${message}`),
  };
}

interface Setup {
  server: TestServer;
  client: Client;
  logger: ReturnType<typeof recordingLogger>;
  /** Workers made in this step: stopped at once if the step fails, so none outlives it. */
  workers: Worker[];
}

/** Runs one step against a fresh in-process test server; stops its workers and the server whatever happens. */
async function step(format: Format, run: (setup: Setup) => Promise<void>): Promise<void> {
  const server = createTestServer();
  const client = new Client({ url: "http://zizq.test", fetch: server.fetch, format, retry: false });
  const setup: Setup = { server, client, logger: recordingLogger(), workers: [] };
  try {
    await run(setup);
  } finally {
    const stopping = Promise.all(setup.workers.map((worker) => worker.stop({ immediate: true })));
    await within(stopping, "stopping the step's workers", 1_000).catch(() => {});
    server.close();
  }
}

async function left(client: Client, status: JobStatus | JobStatus[] = UNFINISHED): Promise<number> {
  return client.jobs({ status }).count();
}

/** The job's status, or "gone" when the server purged it (completed jobs go at once by default). */
async function statusOf(client: Client, id: string): Promise<JobStatus | "gone"> {
  try {
    return (await client.getJob(id)).status;
  } catch (error) {
    if (error instanceof ZizqNotFoundError) return "gone";
    throw error;
  }
}

/** The walk in one wire format, registered a test per step; each step gets a fresh server, so the steps stand alone. */
export function workerWalk(format: Format): Walk {
  const steps = [
    ["typed drain", typedDrain],
    ["failure outcomes", failureOutcomes],
    ["hooks and stats", hooksAndStats],
    ["graceful stop", gracefulStop],
    ["deadline stop", deadlineStop],
    ["drain maxJobs", drainMaxJobs],
    ["job timeout", jobTimeout],
  ] as const;
  return { steps: steps.map(([name, run]) => ({ name, run: (_: void, assert: Assert) => run(format, assert) })) };
}

// --- 1. typed jobs through a Router, drained ---

export async function typedDrain(format: Format, assert: Assert): Promise<void> {
  await step(format, async ({ client, server, logger, workers }) => {
    const emails = 100;
    const resizes = 80;
    const audits = 30;
    const total = emails + resizes + audits;
    // Interleaved: 10 emails, 8 resizes, 3 audits in every 21 jobs.
    const requests = Array.from({ length: total }, (_, i) =>
      i % 21 < 10 ? SendEmail.with({ to: `user${i}@example${i % 5}.com` }) : i % 21 < 18 ? Resize.with({ width: i }) : Audit.with({ n: i }),
    );
    const enqueued = await client.enqueueBulk(requests);
    assert.equal(enqueued.length, total);
    const byId = new Map(enqueued.map((job) => [job.id, job]));
    const payloads = new Map(requests.map((request, i) => [enqueued[i]?.id, request.payload]));

    const seen = new Map<string, string>();
    const problems: string[] = [];
    let running = 0;
    let peak = 0;
    const check = (ctx: HandlerContext, type: string): void => {
      const id = ctx.job.id;
      if (seen.has(id)) problems.push(`${id} handled twice`);
      seen.set(id, type);
      if (!byId.has(id)) problems.push(`${id} was not enqueued`);
      if (ctx.job.type !== type) problems.push(`${id}: ctx.job.type ${ctx.job.type}, expected ${type}`);
      if (ctx.attempt !== 1) problems.push(`${id}: ctx.attempt ${ctx.attempt}`);
      if (ctx.job.attempts !== 0) problems.push(`${id}: ctx.job.attempts ${ctx.job.attempts}`);
      if (!(ctx.signal instanceof AbortSignal) || ctx.signal.aborted) problems.push(`${id}: signal missing or aborted`);
      if (typeof ctx.log?.warn !== "function") problems.push(`${id}: no ctx.log`);
    };
    /** Each handler holds its slot for a timer tick, so handlers overlap. */
    const busy = async (): Promise<void> => {
      peak = Math.max(peak, ++running);
      await sleep(1);
      running--;
    };

    const router = new Router()
      .route(SendEmail, async (payload, ctx) => {
        check(ctx, "send_email");
        // Typed from the schema's output: `domain` exists only after the transform ran.
        const to: string = payload.to;
        const domain: string = payload.domain;
        const raw = payloads.get(ctx.job.id) as { to: string } | undefined;
        if (to !== raw?.to || domain !== to.split("@")[1]) problems.push(`${ctx.job.id}: payload ${JSON.stringify(payload)}`);
        await busy();
      })
      .route(Resize, async (payload, ctx) => {
        check(ctx, "resize");
        const width: number = payload.width;
        if (width !== (payloads.get(ctx.job.id) as { width: number } | undefined)?.width) problems.push(`${ctx.job.id}: width ${width}`);
        await busy();
      })
      .fallback(async (job, ctx) => {
        check(ctx, job.type);
        if (job.type !== "audit") problems.push(`fallback got ${job.type}`);
        if (ctx.job !== job) problems.push(`${job.id}: the fallback's job is not ctx.job`);
        await busy();
      });

    const worker = new Worker({ client, router, concurrency: 16, logger });
    workers.push(worker);
    const summary = await within(worker.drain({ maxIdle: 200 }), "drain of the typed jobs", WAIT_MS);

    assert.deepEqual(problems, [], "every handler saw its typed, validated payload and context");
    assert.equal(summary.reason, "idle");
    assert.equal(summary.processed, total);
    assert.equal(summary.completed, total);
    assert.equal(summary.failed, 0);
    assert.ok(summary.durationMs > 0 && summary.durationMs < WAIT_MS, `durationMs ${summary.durationMs}`);
    assert.equal(seen.size, total, "every job was handled once");
    const counts = { send_email: 0, resize: 0, audit: 0 } as Record<string, number>;
    for (const type of seen.values()) counts[type] = (counts[type] ?? 0) + 1;
    assert.deepEqual(counts, { send_email: emails, resize: resizes, audit: audits });
    assert.ok(peak > 1 && peak <= 16, `handlers overlapped within the concurrency (peak ${peak})`);

    // Nothing left ready, scheduled, in flight or dead; completed jobs are purged at once.
    assert.equal(await left(client, [...UNFINISHED, "dead"]), 0, "no job left unfinished");
    assert.equal(await client.jobs().count(), 0, "every completed job was purged");
    assert.deepEqual(server.connections(), [], "the take stream was closed");

    const stats = worker.stats();
    assert.deepEqual(
      { state: stats.state, connected: stats.connected, running: stats.running, buffered: stats.buffered, acksPending: stats.acksPending },
      { state: "idle", connected: false, running: 0, buffered: 0, acksPending: 0 },
    );
    assert.equal(stats.taken, total);
    assert.equal(stats.completed, total);
    assert.equal(stats.failed, 0);
    assert.equal(stats.badFrames, 0);
    assert.equal(stats.connections, 1);
    assert.deepEqual(logger.lines, [], "the worker logged no warning or error");
  });
}

// --- 2. every failure outcome, as the server records it ---

export async function failureOutcomes(format: Format, assert: Assert): Promise<void> {
  await step(format, async ({ client, server, logger, workers }) => {
    let strictCalls = 0;
    // No fallback: an unknown type is killed.
    const router = new Router()
      .route(Fatal, (payload) => {
        throw new NonRetryableError(`cannot: ${payload.why}`);
      })
      .route(Later, () => {
        throw new RetryAfterError(60_000);
      })
      .route(Boom, (payload) => {
        throw new Error(`kaboom ${payload.n}`);
      })
      .route(Strict, () => {
        strictCalls++;
      });

    const fatal = await client.enqueue(Fatal, { why: "bad address" });
    const later = await client.enqueue(Later, { n: 1 });
    const boom = await client.enqueue(Boom, { n: 42 });
    // Raw, to get past the producer's own schema check.
    const strict = await client.enqueueRaw({ type: "strict", queue: "failures", payload: { n: "not a number" } });
    const mystery = await client.enqueueRaw({ type: "mystery", queue: "failures", payload: { x: 1 } });

    const failures: string[] = [];
    const worker = new Worker({
      client,
      router,
      concurrency: 4,
      logger,
      hooks: { onJobFailure: (job, info) => void failures.push(`${job.type}:${info.failure.errorType}`) },
    });
    workers.push(worker);
    const before = Date.now();
    const summary = await within(worker.drain({ maxIdle: 200 }), "drain of the failing jobs", WAIT_MS);
    const after = Date.now();

    assert.deepEqual({ processed: summary.processed, completed: summary.completed, failed: summary.failed }, { processed: 5, completed: 0, failed: 5 });
    assert.deepEqual(
      failures.sort(),
      ["boom:Error", "fatal:NonRetryableError", "later:RetryAfterError", "mystery:UnknownJobType", "strict:ZizqValidationError"],
    );
    assert.equal(strictCalls, 0, "a payload failing its schema never reaches the handler");

    // NonRetryableError -> dead, whatever the retry limit.
    const fatalJob = await client.getJob(fatal.id);
    assert.equal(fatalJob.status, "dead");
    assert.equal(fatalJob.attempts, 1);
    const [fatalError] = await client.errors(fatal.id).toArray();
    assert.equal(fatalError?.errorType, "NonRetryableError");
    assert.equal(fatalError?.message, "cannot: bad address");

    // RetryAfterError(60 s) -> scheduled at about now + 60 s, not at the backoff's time.
    const laterJob = await client.getJob(later.id);
    assert.equal(laterJob.status, "scheduled");
    assert.equal(laterJob.attempts, 1);
    assert.ok(
      laterJob.readyAt >= before + 60_000 - 1_000 && laterJob.readyAt <= after + 60_000 + 1_000,
      `readyAt ${laterJob.readyAt - before} ms after the drain began; expected about 60 000`,
    );
    assert.equal((await client.errors(later.id).toArray())[0]?.errorType, "RetryAfterError");

    // A plain throw -> scheduled for a retry with backoff, its message, type and backtrace kept.
    const boomJob = await client.getJob(boom.id);
    assert.equal(boomJob.status, "scheduled");
    assert.equal(boomJob.attempts, 1);
    assert.ok(boomJob.readyAt > before, "the retry is in the future");
    const boomErrors = await client.errors(boom.id).toArray();
    assert.equal(boomErrors.length, 1);
    const boomError = boomErrors[0];
    assert.equal(boomError?.attempt, 1);
    assert.equal(boomError?.message, "kaboom 42");
    assert.equal(boomError?.errorType, "Error");
    assert.ok(typeof boomError?.backtrace === "string" && boomError.backtrace.length > 0, `a backtrace: ${String(boomError?.backtrace)}`);

    // A payload failing the schema -> dead as ZizqValidationError.
    const strictJob = await client.getJob(strict.id);
    assert.equal(strictJob.status, "dead");
    const [strictError] = await client.errors(strict.id).toArray();
    assert.equal(strictError?.errorType, "ZizqValidationError");
    assert.ok(strictError?.message.includes("n"), `the message names the field: ${strictError?.message}`);

    // An unknown type, no fallback -> dead as UnknownJobType.
    const mysteryJob = await client.getJob(mystery.id);
    assert.equal(mysteryJob.status, "dead");
    const [mysteryError] = await client.errors(mystery.id).toArray();
    assert.equal(mysteryError?.errorType, "UnknownJobType");
    assert.ok(mysteryError?.message.includes("mystery"), `the message names the type: ${mysteryError?.message}`);

    assert.equal(await left(client, ["ready", "in_flight"]), 0, "nothing ready or in flight");
    assert.equal(await left(client, "scheduled"), 2);
    assert.equal(await left(client, "dead"), 3);
    assert.deepEqual(server.connections(), []);
    const stats = worker.stats();
    assert.deepEqual({ completed: stats.completed, failed: stats.failed, acksPending: stats.acksPending }, { completed: 0, failed: 5, acksPending: 0 });
    assert.deepEqual(logger.lines, [], "handler failures are reported to the server, not logged as worker trouble");
  });
}

// --- 3. hooks and stats ---

export async function hooksAndStats(format: Format, assert: Assert): Promise<void> {
  await step(format, async ({ client, server, logger, workers }) => {
    const good = 40;
    const bad = 10;
    const inHandler: { state: string; running: number; connected: boolean }[] = [];
    let worker!: Worker;
    const router = new Router()
      .route(Quick, async () => {
        const stats = worker.stats();
        inHandler.push({ state: stats.state, running: stats.running, connected: stats.connected });
        await sleep(1);
      })
      .route(Boom, async (payload) => {
        await sleep(1);
        throw new Error(`boom ${payload.n}`);
      });
    const ids = (await client.enqueueBulk([...Array.from({ length: good }, (_, i) => Quick.with({ i })), ...Array.from({ length: bad }, (_, n) => Boom.with({ n }))])).map((job) => job.id);

    const calls = { start: 0, success: 0, failure: 0, flush: 0, flushedIds: 0, connect: 0, disconnect: 0 };
    const started = new Set<string>();
    const problems: string[] = [];
    const hooks: WorkerHooks = {
      onJobStart: (job) => {
        calls.start++;
        started.add(job.id);
        // A throwing hook is logged and changes nothing.
        throw new Error("onJobStart is broken");
      },
      onJobSuccess: (job, info) => {
        calls.success++;
        if (job.type !== "quick") problems.push(`success of ${job.type}`);
        if (!(info.durationMs >= 0)) problems.push(`success durationMs ${info.durationMs}`);
        if (calls.success % 2 === 0) throw new Error("onJobSuccess is broken");
      },
      onJobFailure: (job, info) => {
        calls.failure++;
        if (job.type !== "boom") problems.push(`failure of ${job.type}`);
        if (!(info.error instanceof Error) || info.failure.errorType !== "Error" || !info.failure.message.startsWith("boom")) {
          problems.push(`failure info ${JSON.stringify(info.failure)}`);
        }
        throw new Error("onJobFailure is broken");
      },
      onAckFlush: (info) => {
        calls.flush++;
        calls.flushedIds += info.ids;
        if (info.notFound.length > 0) problems.push(`acks not found: ${info.notFound.join()}`);
        throw new Error("onAckFlush is broken");
      },
      onConnect: (info) => {
        calls.connect++;
        if (info.connection !== calls.connect) problems.push(`connect #${info.connection}`);
        // The take stream is framed in the client's format.
        const framing = format === "msgpack" ? "application/vnd.zizq.msgpack-stream" : "application/x-ndjson";
        if (!info.contentType?.startsWith(framing)) problems.push(`contentType ${info.contentType}, expected ${framing}`);
        throw new Error("onConnect is broken");
      },
      onDisconnect: (info) => {
        calls.disconnect++;
        if (info.error !== undefined) problems.push(`disconnect with ${String(info.error)}`);
        throw new Error("onDisconnect is broken");
      },
    };
    worker = new Worker({ client, router, concurrency: 8, logger, hooks });
    workers.push(worker);
    const fresh = worker.stats();
    assert.deepEqual(
      fresh,
      { state: "idle", connected: false, lastByteAgeMs: undefined, connections: 0, taken: 0, running: 0, buffered: 0, completed: 0, failed: 0, acksPending: 0, ackRequests: 0, badFrames: 0 },
      "a new worker's stats",
    );
    const summary = await within(worker.drain({ maxIdle: 200 }), "drain with hooks", WAIT_MS);

    assert.deepEqual(problems, []);
    assert.deepEqual({ processed: summary.processed, completed: summary.completed, failed: summary.failed }, { processed: good + bad, completed: good, failed: bad });
    assert.equal(calls.start, good + bad);
    assert.deepEqual([...started].sort(), [...ids].sort(), "onJobStart saw every job");
    assert.equal(calls.success, good);
    assert.equal(calls.failure, bad);
    assert.equal(calls.flushedIds, good, "the bulk acks carried every completed job");
    assert.ok(calls.flush >= 1 && calls.flush <= good, `bulk ack requests: ${calls.flush}`);
    assert.equal(calls.connect, 1);
    assert.equal(calls.disconnect, 1, "the stream closed once, by the worker");
    assert.ok(inHandler.length === good && inHandler.every((s) => s.state === "running" && s.running >= 1 && s.connected), `stats seen by handlers: ${JSON.stringify(inHandler.slice(0, 3))}`);

    const stats = worker.stats();
    assert.deepEqual(stats, {
      state: "idle",
      connected: false,
      lastByteAgeMs: undefined,
      connections: calls.connect,
      taken: good + bad,
      running: 0,
      buffered: 0,
      completed: good,
      failed: bad,
      acksPending: 0,
      ackRequests: calls.flush,
      badFrames: 0,
    });

    // Each throwing hook call was logged as a warning, and nothing else was.
    const thrown = (hook: string) => logger.lines.filter((line) => line === `warn: the ${hook} hook threw`).length;
    assert.equal(thrown("onJobStart"), good + bad);
    assert.equal(thrown("onJobSuccess"), Math.floor(good / 2));
    assert.equal(thrown("onJobFailure"), bad);
    assert.equal(thrown("onAckFlush"), calls.flush);
    assert.equal(thrown("onConnect"), 1);
    assert.equal(thrown("onDisconnect"), 1);
    assert.equal(logger.lines.length, good + bad + Math.floor(good / 2) + bad + calls.flush + 2, `only hook warnings: ${logger.lines.filter((l) => !l.includes("hook threw")).join(" | ")}`);

    // The server agrees: completed jobs gone, failed ones scheduled, none in flight.
    assert.equal(await left(client, ["ready", "in_flight"]), 0);
    assert.equal(await left(client, "scheduled"), bad);
    assert.equal(await client.jobs().count(), bad);
    assert.deepEqual(server.connections(), []);

    // A second drain of the same worker: counters keep counting, nothing more to do.
    const again = await within(worker.drain({ maxIdle: 100 }), "a second, empty drain", WAIT_MS);
    assert.deepEqual({ processed: again.processed, reason: again.reason }, { processed: 0, reason: "idle" });
    const after = worker.stats();
    assert.deepEqual({ connections: after.connections, completed: after.completed, failed: after.failed, taken: after.taken }, { connections: 2, completed: good, failed: bad, taken: good + bad });
    assert.equal(calls.connect, 2);
    assert.equal(calls.disconnect, 2);
  });
}

// --- 4. run(signal) and a graceful stop; drain({ maxJobs }) ---

export async function gracefulStop(format: Format, assert: Assert): Promise<void> {
  await step(format, async ({ client, server, logger, workers }) => {
    const total = 20;
    const jobs = await client.enqueueBulk(Array.from({ length: total }, (_, i) => Slow.with({ i })));
    const controller = new AbortController();
    const started: string[] = [];
    const finished: string[] = [];
    const abortedDuringRun: string[] = [];
    const router = new Router().route(Slow, async (_payload, ctx) => {
      started.push(ctx.job.id);
      if (started.length === 3) controller.abort();
      await sleep(50);
      // A graceful stop lets running handlers finish: their signal stays quiet.
      if (ctx.signal.aborted) abortedDuringRun.push(ctx.job.id);
      finished.push(ctx.job.id);
    });
    const worker = new Worker({ client, router, concurrency: 4, logger });
    workers.push(worker);
    const running = worker.run(controller.signal);
    assert.equal(worker.stats().state, "running");
    await within(running, "run() after its signal aborted", WAIT_MS);

    assert.ok(controller.signal.aborted);
    assert.ok(started.length >= 3 && started.length <= 4, `jobs started before the stop took hold: ${started.length}`);
    assert.deepEqual(finished.slice().sort(), started.slice().sort(), "run() resolved after every started handler finished");
    assert.deepEqual(abortedDuringRun, [], "no handler signal fired on a graceful stop");

    const stats = worker.stats();
    assert.deepEqual(
      { state: stats.state, running: stats.running, completed: stats.completed, failed: stats.failed, acksPending: stats.acksPending },
      { state: "idle", running: 0, completed: started.length, failed: 0, acksPending: 0 },
    );
    assert.equal(await left(client, "in_flight"), 0, "no job in flight on the server");
    assert.deepEqual(server.connections(), [], "the take stream was closed");
    for (const job of jobs) {
      const status = await statusOf(client, job.id);
      const expected = started.includes(job.id) ? "gone" : "ready";
      assert.equal(status, expected, `job ${job.id} (${started.includes(job.id) ? "finished" : "not started"})`);
    }
    assert.equal(await left(client, "ready"), total - started.length);
    // Taken but never started: handed back untouched, no attempt counted.
    assert.equal(await client.jobs({ status: "ready", attempts: { min: 1 } }).count(), 0);
    assert.deepEqual(logger.lines, []);

    // The same worker runs again after a stop, and an already-aborted signal stops it at once.
    await within(worker.run(AbortSignal.abort()), "run() with an aborted signal", WAIT_MS);
    assert.equal(worker.stats().state, "idle");
    assert.equal(await left(client, "in_flight"), 0);
    assert.deepEqual(server.connections(), []);
  });
}

/** A stop whose shutdown deadline passes: running handlers are told, and their jobs failed. */
export async function deadlineStop(format: Format, assert: Assert): Promise<void> {
  await step(format, async ({ client, server, logger, workers }) => {
    const jobs = await client.enqueueBulk([Hang.with({ i: 1 }), Hang.with({ i: 2 })]);
    const controller = new AbortController();
    const reasons: unknown[] = [];
    let returned = 0;
    const router = new Router().route(Hang, async (_payload, ctx) => {
      // Both are running when the stop begins.
      if (ctx.job.id === jobs[1]?.id) controller.abort();
      await aborted(ctx.signal);
      reasons.push(ctx.signal.reason);
      returned++;
    });
    const worker = new Worker({ client, router, concurrency: 2, shutdownTimeout: 50, logger });
    workers.push(worker);
    const started = Date.now();
    await within(worker.run(controller.signal), "run() past its shutdown deadline", WAIT_MS);
    const took = Date.now() - started;

    assert.equal(reasons.length, 2, "both handlers' signals fired at the deadline");
    assert.ok(reasons.every((reason) => reason instanceof WorkerStoppedError), `reasons: ${reasons.map(String).join(", ")}`);
    assert.equal(returned, 2);
    assert.ok(took < 2_000, `the stop took ${took} ms with a 50 ms deadline`);
    const stats = worker.stats();
    assert.deepEqual({ completed: stats.completed, failed: stats.failed, running: stats.running, acksPending: stats.acksPending }, { completed: 0, failed: 2, running: 0, acksPending: 0 });
    for (const job of jobs) {
      const info = await client.getJob(job.id);
      assert.deepEqual({ status: info.status, attempts: info.attempts }, { status: "scheduled", attempts: 1 }, `job ${job.id} was failed at the deadline`);
      assert.equal((await client.errors(job.id).toArray())[0]?.errorType, "WorkerStoppedError");
    }
    assert.equal(await left(client, "in_flight"), 0);
    assert.deepEqual(server.connections(), []);
    assert.deepEqual(logger.lines, ["warn: the shutdown deadline passed with 2 handlers running; their jobs are failed"]);
  });
}

export async function drainMaxJobs(format: Format, assert: Assert): Promise<void> {
  await step(format, async ({ client, server, logger, workers }) => {
    const total = 12;
    await client.enqueueBulk(Array.from({ length: total }, (_, i) => Quick.with({ i })));
    const handled: string[] = [];
    const router = new Router().route(Quick, async (_payload, ctx) => {
      handled.push(ctx.job.id);
      await sleep(5);
    });
    const worker = new Worker({ client, router, concurrency: 2, logger });
    workers.push(worker);
    const summary = await within(worker.drain({ maxJobs: 5, maxIdle: 2_000 }), "drain({ maxJobs: 5 })", WAIT_MS);

    assert.equal(summary.reason, "maxJobs");
    assert.deepEqual({ processed: summary.processed, completed: summary.completed, failed: summary.failed }, { processed: 5, completed: 5, failed: 0 });
    assert.equal(handled.length, 5, "exactly five handlers ran");
    assert.equal(new Set(handled).size, 5);
    assert.equal(await left(client, "in_flight"), 0);
    assert.equal(await left(client, "ready"), total - 5, "the rest are ready again");
    assert.equal(await client.jobs({ status: "ready", attempts: { min: 1 } }).count(), 0);
    for (const id of handled) assert.equal(await statusOf(client, id), "gone", `handled job ${id} was acked`);
    assert.deepEqual(server.connections(), []);
    assert.deepEqual(logger.lines, []);
  });
}

// --- 5. jobTimeout ---

export async function jobTimeout(format: Format, assert: Assert): Promise<void> {
  await step(format, async ({ client, server, logger, workers }) => {
    const events: string[] = [];
    let reason: unknown;
    let hangSignal: AbortSignal | undefined;
    let hangDone!: () => void;
    const hangFinished = new Promise<void>((resolve) => (hangDone = resolve));
    const router = new Router()
      .route(Hang, async (_payload, ctx) => {
        hangSignal = ctx.signal;
        events.push(`hang start (aborted: ${ctx.signal.aborted})`);
        await aborted(ctx.signal);
        reason = ctx.signal.reason;
        events.push("hang signalled");
        // It ignores the signal for a while more: the worker must not wait for it.
        await sleep(150);
        events.push("hang returned");
        hangDone();
      })
      .route(Quick, async (payload) => {
        events.push(`quick ${payload.i}`);
      });
    // One slot: the quick jobs can only run once the timed-out job has given its slot back.
    const hang = await client.enqueue(Hang, { i: 0 }, { priority: 1 });
    await client.enqueueBulk([Quick.with({ i: 1 }), Quick.with({ i: 2 }), Quick.with({ i: 3 })]);

    const failures: unknown[] = [];
    const worker = new Worker({
      client,
      router,
      concurrency: 1,
      jobTimeout: 50,
      logger,
      hooks: { onJobFailure: (_job, info) => void failures.push(info.error) },
    });
    workers.push(worker);
    const startedAt = Date.now();
    const summary = await within(worker.drain({ maxIdle: 200 }), "drain with a timed-out job", WAIT_MS);

    assert.ok(reason instanceof JobTimeoutError, `the handler's signal reason: ${String(reason)}`);
    assert.equal((reason as Error).name, "JobTimeoutError");
    assert.ok(hangSignal?.aborted, "the handler's signal fired");
    assert.equal(failures.length, 1);
    assert.equal(failures[0], reason, "the job failed with the same JobTimeoutError");
    assert.deepEqual({ processed: summary.processed, completed: summary.completed, failed: summary.failed }, { processed: 4, completed: 3, failed: 1 });
    // The timeout frees the slot synchronously, so "quick 1" may come before the handler's own
    // await of its signal resumes; what matters is that the quick jobs ran while it still ran.
    assert.equal(events[0], "hang start (aborted: false)");
    assert.deepEqual(
      events.slice(1, 5).sort(),
      ["hang signalled", "quick 1", "quick 2", "quick 3"],
      `the worker moved on while the timed-out handler still ran: ${events.join(", ")}`,
    );

    const job = await client.getJob(hang.id);
    assert.equal(job.status, "scheduled", "a timed-out job is failed retryably");
    assert.equal(job.attempts, 1);
    assert.ok(job.readyAt > startedAt);
    const [error] = await client.errors(hang.id).toArray();
    assert.equal(error?.errorType, "JobTimeoutError");
    assert.ok(error?.message.includes("jobTimeout"), `message: ${error?.message}`);

    // The late return of the timed-out handler changes nothing.
    await within(hangFinished, "the timed-out handler returning", WAIT_MS);
    await sleep(20);
    assert.equal((await client.getJob(hang.id)).status, "scheduled");
    assert.equal(worker.stats().completed, 3);
    assert.equal(worker.stats().failed, 1);
    assert.equal(await left(client, ["ready", "in_flight"]), 0);
    assert.deepEqual(server.connections(), []);
    assert.deepEqual(logger.lines.filter((line) => !line.includes("ran longer than jobTimeout")), [], "only the timeout was logged");
    assert.equal(logger.lines.length, 1);
  });
}
