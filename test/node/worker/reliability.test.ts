/**
 * Worker reliability over real sockets: the in-memory test server served by adapters/node.ts and
 * a Client on the global fetch. Streams dropped mid-flow, acks and nacks failing for a while,
 * graceful and deadline stops, a silent stream, bad frames, and bounded drains. Every wait is a
 * poll with a generous bound; no assertion depends on timing beyond bounds that catch a hang.
 */
import * as v from "valibot";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Client, defineJob, StreamLostError, WorkerStoppedError } from "../../../src/index.ts";
import { RetryAfterError } from "../../../src/processing/handler-errors.ts";
import { Router } from "../../../src/processing/router.ts";
import { Worker } from "../../../src/worker/worker.ts";
import type { WorkerOptions } from "../../../src/worker/worker-options.ts";
import {
  ackIds,
  ackRecordingFetch,
  client,
  collectingLogger,
  counts,
  heldBreakFetch,
  nackId,
  rewritingTakeFront,
  type Served,
  serveTestServer,
  tcpFront,
} from "./harness.ts";
import { eventually, sleep, within } from "../../support/wait.ts";

const Work = defineJob<{ n: number; blob?: string }>({ type: "work", queue: "reliability" });
const Strict = defineJob({ type: "strict", queue: "reliability", schema: v.object({ n: v.number() }) });

const FAST_RECONNECT = { initialDelayMs: 5, maxDelayMs: 50 };

// --- cleanup: every server and worker a test made is closed, whatever happened ---

const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function served(...args: Parameters<typeof serveTestServer>): Promise<Served> {
  const s = await serveTestServer(...args);
  cleanups.push(() => s.close());
  return s;
}

/** A worker whose `run()` is watched: one that settles before the test stops it has crashed. */
interface Running {
  worker: Worker;
  run: Promise<void>;
  /** Set when run() settles; a worker that settles before it is stopped has crashed. */
  outcome: { settled: boolean; error?: unknown };
}

/** Both ways of acking: one bulk ack out at a time, and pipelined (two out, a batch leaving at `pipelineAt` ids). */
const ACK_MODES: [string, { pipelineAt: number | false }][] = [
  ["one ack out at a time", { pipelineAt: false }],
  ["pipelined acks", { pipelineAt: 5 }],
];

function newWorker(options: WorkerOptions): Worker {
  const worker = new Worker({ logger: collectingLogger(), reconnect: FAST_RECONNECT, ...options });
  cleanups.push(() => worker.stop({ immediate: true }));
  return worker;
}

function start(worker: Worker): Running {
  const outcome: Running["outcome"] = { settled: false };
  const run = worker.run().then(
    () => void (outcome.settled = true),
    (error: unknown) => {
      outcome.settled = true;
      outcome.error = error;
      throw error;
    },
  );
  run.catch(() => undefined);
  return { worker, run, outcome };
}

/** @hono/node-server logs each take stream the test server errors on purpose (dropConnections); only those lines are muted. */
function muteDroppedStreamLogs(): void {
  const original = console.error;
  const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    if (args.some((arg) => String(arg).includes("connection dropped (dropConnections)"))) return;
    original.apply(console, args);
  });
  cleanups.push(async () => spy.mockRestore());
}

async function enqueueWork(admin: Client, count: number, payload: (i: number) => { n: number; blob?: string } = (n) => ({ n })): Promise<string[]> {
  const ids: string[] = [];
  for (let from = 0; from < count; from += 500) {
    const requests = [];
    for (let i = from; i < Math.min(count, from + 500); i++) requests.push(Work.with(payload(i)));
    ids.push(...(await admin.enqueueBulk(requests)).map((job) => job.id));
  }
  return ids;
}

/** The server's counts once nothing is in flight: a closed take stream is requeued when the server sees the socket go. */
async function settledCounts(admin: Client): Promise<Awaited<ReturnType<typeof counts>>> {
  await eventually(async () => (await counts(admin)).in_flight === 0, "no job in flight on the server", 5_000, 20);
  return counts(admin);
}

/** A router whose first run waits until `releaseFirst()`, ignoring its signal (like test 1's handlers); later runs end at once. */
function firstRunHeld(): { router: Router; starts: number[]; releaseFirst: () => void } {
  let releaseFirst!: () => void;
  const held = new Promise<void>((resolve) => (releaseFirst = resolve));
  cleanups.push(async () => releaseFirst());
  const starts: number[] = [];
  const router = new Router().route(Work, async () => {
    starts.push(performance.now());
    if (starts.length === 1) await held;
  });
  return { router, starts, releaseFirst };
}

describe("Worker reliability (real sockets)", () => {
  it.each(ACK_MODES)(
    "1: loses no job while the server drops every take stream again and again as 1,000 jobs flow, and never reruns a job after its ack landed (%s)",
    async (_mode, ackOptions) => {
      muteDroppedStreamLogs();
      const s = await served();
      const ids = await enqueueWork(s.admin, 1000);
      const { fetch, acks } = ackRecordingFetch();
      const starts = new Map<string, number[]>();
      const router = new Router().route(Work, async (payload, ctx) => {
        const at = performance.now();
        const seen = starts.get(ctx.job.id);
        if (seen === undefined) starts.set(ctx.job.id, [at]);
        else seen.push(at);
        // Ignores its signal: a handler of a lost stream finishes and its ack still goes out.
        await sleep(2 + (payload.n % 4));
      });
      const logger = collectingLogger();
      const lost: unknown[] = [];
      const worker = newWorker({
        client: client(s.url, { fetch }),
        router,
        concurrency: 10,
        acks: ackOptions,
        logger,
        hooks: { onDisconnect: (info) => void (info.error !== undefined && lost.push(info.error)) },
      });
      const running = start(worker);

      await eventually(() => starts.size > 0, "the first job to start");
      const landed = new Set<string>();
      const recorded: typeof acks = [];
      const landedCount = () => {
        for (const ack of acks.splice(0)) {
          for (const id of ack.landed) landed.add(id);
          recorded.push(ack);
        }
        return landed.size;
      };
      let drops = 0;
      let dropsHoldingJobs = 0;
      while (drops < 12 && landedCount() < ids.length) {
        await sleep(30 + (drops % 3) * 10);
        const held = s.server.connections().reduce((sum, connection) => sum + connection.held.length, 0);
        if (held > 0) dropsHoldingJobs++;
        s.server.dropConnections();
        drops++;
      }
      await eventually(() => landedCount() === ids.length, "every job's ack to land", 20_000, 20);
      await within(worker.stop(), "stop()", 10_000);
      expect(running.outcome).toEqual({ settled: true });
      landedCount();

      // Every job completed, none lost, none left anywhere else.
      expect(await settledCounts(s.admin)).toEqual({ scheduled: 0, ready: 0, in_flight: 0, completed: 1000, dead: 0 });
      expect(ids.filter((id) => !starts.has(id))).toEqual([]);
      // The drops really hit streams holding jobs, and the worker saw them break and reconnected.
      expect(dropsHoldingJobs).toBeGreaterThanOrEqual(3);
      expect(lost.length).toBeGreaterThanOrEqual(3);
      expect(worker.stats().connections).toBeGreaterThan(lost.length);
      expect(worker.stats().acksPending).toBe(0);

      // Duplicates only for jobs whose ack had not landed: no start after the job's first landed ack.
      const landedAt = new Map<string, number>();
      for (const ack of recorded) for (const id of ack.landed) if (!landedAt.has(id)) landedAt.set(id, ack.at);
      const rerunAfterAck = [...starts]
        .filter(([id, times]) => times.some((time) => time > (landedAt.get(id) ?? Infinity)))
        .map(([id, times]) => ({ id, starts: times.map((t) => Math.round(t)), ackLandedAt: Math.round(landedAt.get(id) ?? 0) }));
      expect(rerunAfterAck).toEqual([]);
    },
    40_000,
  );

  it("1b: does not rerun a job whose ack from a lost stream landed after the new stream was handed the job again (deterministic)", async () => {
    // Take streams after the first pass their bytes only once `openFrames()` is called, so the
    // job's copy on the new stream reaches the worker after the old run's ack has landed.
    muteDroppedStreamLogs();
    let takes = 0;
    let openFrames!: () => void;
    const framesHeld = new Promise<void>((resolve) => (openFrames = resolve));
    cleanups.push(async () => openFrames());
    const s = await served({}, (server) => ({
      fetch: async (request) => {
        const response = await server.fetch(request);
        if (new URL(request.url).pathname !== "/jobs/take" || !response.ok || response.body === null || ++takes === 1) return response;
        const held = new TransformStream<Uint8Array, Uint8Array>({
          async transform(chunk, controller) {
            await framesHeld;
            controller.enqueue(chunk);
          },
        });
        return new Response(response.body.pipeThrough(held), { status: response.status, headers: response.headers });
      },
    }));
    const [id] = await enqueueWork(s.admin, 1);
    const { fetch, acks } = ackRecordingFetch();
    const { router, starts, releaseFirst } = firstRunHeld();
    const worker = newWorker({ client: client(s.url, { fetch }), router, concurrency: 1 });
    const running = start(worker);

    await eventually(() => starts.length === 1, "the first run to start");
    s.server.dropConnections(); // the job goes back to ready while its handler still runs
    await eventually(() => s.server.connections().some((c) => c.held.includes(id as string)), "the new stream to be handed the job again", 5_000);
    releaseFirst(); // the old run completes: its ack completes the job the new stream holds
    await eventually(() => acks.some((ack) => ack.landed.includes(id as string)), "the old run's ack to land", 5_000);
    const landedAt = (acks.find((ack) => ack.landed.includes(id as string)) as { at: number }).at;
    expect((await s.admin.getJob(id as string)).status).toBe("completed");

    openFrames(); // the new stream's copy of the (completed) job reaches the worker
    await eventually(() => worker.stats().taken === 2, "the worker to receive the job again", 5_000);
    await sleep(50);
    await within(worker.stop(), "stop()", 10_000);
    expect(running.outcome).toEqual({ settled: true });
    expect(await settledCounts(s.admin)).toEqual({ scheduled: 0, ready: 0, in_flight: 0, completed: 1, dead: 0 });
    // The work was done and its ack landed: starting it again is a duplicate the worker could have known about.
    expect(starts.filter((at) => at > landedAt).length, "runs started after the job's ack landed").toBe(0);
  });

  it("1c: a copy that waits in the buffer while its original runs (every slot busy) is acked, not run, once the original completes", async () => {
    muteDroppedStreamLogs();
    const s = await served();
    const [id] = await enqueueWork(s.admin, 1);
    const { fetch, acks } = ackRecordingFetch();
    const { router, starts, releaseFirst } = firstRunHeld();
    const worker = newWorker({ client: client(s.url, { fetch }), router, concurrency: 1 });
    const running = start(worker);

    await eventually(() => starts.length === 1, "the first run to start");
    s.server.dropConnections(); // the worker sees it at once, reconnects, and is handed the job again
    await eventually(() => worker.stats().taken === 2, "the copy to arrive while the original still holds the only slot", 5_000);
    releaseFirst();
    await eventually(async () => (await s.admin.getJob(id as string)).status === "completed", "the job to complete", 5_000);
    await eventually(() => worker.stats().acksPending === 0, "the acks to land", 5_000);
    await within(worker.stop(), "stop()", 10_000);
    expect(running.outcome).toEqual({ settled: true });
    expect(starts.length, "runs of the job").toBe(1);
    expect(acks.some((ack) => ack.landed.includes(id as string))).toBe(true);
    expect(worker.stats()).toMatchObject({ completed: 1, failed: 0, running: 0 });
    expect(await settledCounts(s.admin)).toEqual({ scheduled: 0, ready: 0, in_flight: 0, completed: 1, dead: 0 });
  });

  it("1d: a copy arriving with a slot free waits for its original: acked when the original completed, run when it failed", async () => {
    muteDroppedStreamLogs();
    const s = await served();
    const [completes, fails] = (await enqueueWork(s.admin, 2)) as [string, string];
    const gates = new Map<string, () => void>();
    const originals = new Map<string, Promise<void>>();
    for (const id of [completes, fails]) originals.set(id, new Promise<void>((resolve) => gates.set(id, resolve)));
    cleanups.push(async () => gates.forEach((open) => open()));
    const starts = new Map<string, number>();
    const router = new Router().route(Work, async (_payload, ctx) => {
      const runs = (starts.get(ctx.job.id) ?? 0) + 1;
      starts.set(ctx.job.id, runs);
      if (runs > 1) return;
      await originals.get(ctx.job.id); // ignores its signal
      if (ctx.job.id === fails) throw new Error("the original failed");
    });
    const worker = newWorker({ client: client(s.url), router, concurrency: 4 });
    const running = start(worker);

    await eventually(() => starts.size === 2, "both originals to run");
    s.server.dropConnections();
    await eventually(() => worker.stats().taken === 4, "both copies to arrive", 5_000);
    expect(Object.fromEntries(starts), "runs while the originals still run").toEqual({ [completes]: 1, [fails]: 1 });
    gates.get(completes)?.();
    gates.get(fails)?.();
    await eventually(async () => (await s.admin.jobs({ status: "completed" }).count()) === 2, "both jobs to complete", 5_000);
    await within(worker.stop(), "stop()", 10_000);
    expect(running.outcome).toEqual({ settled: true });
    expect(Object.fromEntries(starts)).toEqual({ [completes]: 1, [fails]: 2 });
    // The failure of a lost stream's job is not reported: the copy's run is the job's first attempt.
    expect(await s.admin.errors(fails).toArray()).toEqual([]);
    expect(await settledCounts(s.admin)).toEqual({ scheduled: 0, ready: 0, in_flight: 0, completed: 2, dead: 0 });
  });

  it("1e: a job whose ack came back 'not in flight' (the server saw the stream break first) is acked, not run, when it comes back", async () => {
    muteDroppedStreamLogs();
    const s = await served();
    const [id] = await enqueueWork(s.admin, 1);
    const recording = ackRecordingFetch();
    const held = heldBreakFetch(recording.fetch);
    cleanups.push(async () => held.release());
    const { router, starts, releaseFirst } = firstRunHeld();
    // A long idle timeout: the worker learns of the break only when the test lets it.
    const worker = newWorker({ client: client(s.url, { fetch: held.fetch }), router, concurrency: 1, idleTimeout: 60_000 });
    const running = start(worker);

    await eventually(() => starts.length === 1, "the first run to start");
    s.server.dropConnections();
    await held.broken;
    expect((await s.admin.getJob(id as string)).status, "the job is back in ready on the server").toBe("ready");
    expect(worker.stats().connected).toBe(true);
    releaseFirst(); // completes; its ack is answered 422 not_found
    await eventually(() => recording.acks.some((ack) => ack.notFound.includes(id as string)), "the ack to come back not in flight", 5_000);
    held.release(); // now the worker sees the break, reconnects, and is handed the job again
    await eventually(async () => (await s.admin.getJob(id as string)).status === "completed", "the job to complete", 5_000);
    await within(worker.stop(), "stop()", 10_000);
    expect(running.outcome).toEqual({ settled: true });
    expect(worker.stats().taken).toBe(2);
    expect(starts.length, "runs of the job").toBe(1);
    expect(recording.acks.some((ack) => ack.landed.includes(id as string))).toBe(true);
    expect(await settledCounts(s.admin)).toEqual({ scheduled: 0, ready: 0, in_flight: 0, completed: 1, dead: 0 });
  });

  it.each([
    ["once that ack comes back 'not in flight' (one ack out at a time)", { pipelineAt: false as const }],
    ["in a request beside it (pipelined acks)", { pipelineAt: 1 }],
  ])("1f: a copy that arrives while the ack of its original is out is acked again %s", async (_how, acks) => {
    muteDroppedStreamLogs();
    const s = await served();
    const [id] = await enqueueWork(s.admin, 1);
    const recording = ackRecordingFetch();
    let releaseAckAnswers!: () => void;
    const ackAnswersHeld = new Promise<void>((resolve) => (releaseAckAnswers = resolve));
    cleanups.push(async () => releaseAckAnswers());
    let holdAckAnswers = false;
    // The server answers the ack at once; the worker hears the answer only when the test says so.
    const slowAckAnswers: typeof globalThis.fetch = async (input, init) => {
      const response = await recording.fetch(input, init);
      if (holdAckAnswers && ackIds(input, init) !== undefined) await ackAnswersHeld;
      return response;
    };
    const held = heldBreakFetch(slowAckAnswers);
    cleanups.push(async () => held.release());
    const { router, starts, releaseFirst } = firstRunHeld();
    const worker = newWorker({ client: client(s.url, { fetch: held.fetch }), router, concurrency: 1, idleTimeout: 60_000, acks });
    const running = start(worker);

    await eventually(() => starts.length === 1, "the first run to start");
    s.server.dropConnections(); // the server hands the job back; the worker does not know yet
    await held.broken;
    holdAckAnswers = true;
    releaseFirst(); // completes: its ack reaches the server while the job is ready, so it is not in flight
    await eventually(() => recording.acks.some((ack) => ack.notFound.includes(id as string)), "the server to answer the ack 'not in flight'", 5_000);
    held.release(); // the worker sees the break with that ack still out, reconnects, and gets the job again
    await eventually(() => worker.stats().taken === 2, "the copy to arrive", 5_000);
    releaseAckAnswers();
    await eventually(async () => (await s.admin.getJob(id as string)).status === "completed", "the job to complete", 5_000);
    await within(worker.stop(), "stop()", 10_000);
    expect(running.outcome).toEqual({ settled: true });
    expect(starts.length, "runs of the job").toBe(1);
    expect(await settledCounts(s.admin)).toEqual({ scheduled: 0, ready: 0, in_flight: 0, completed: 1, dead: 0 });
  });

  it.each(ACK_MODES)("2: recovers when acks and nacks fail for a while (503s, network errors, timeouts): nothing lost, batcher drained, no crash (%s)", async (_mode, acks) => {
    const s = await served();
    const modes = ["503", "network", "hang"] as const;
    const FAULTS_PER_KIND = 6;
    const injected = { ack: { "503": 0, network: 0, hang: 0 }, nack: { "503": 0, network: 0, hang: 0 } };
    const faults = { ack: 0, nack: 0 };
    const faulty: typeof globalThis.fetch = async (input, init) => {
      const kind = ackIds(input, init) !== undefined ? "ack" : nackId(input, init) !== undefined ? "nack" : undefined;
      if (kind !== undefined && faults[kind] < FAULTS_PER_KIND) {
        const mode = modes[faults[kind]++ % modes.length] as (typeof modes)[number];
        injected[kind][mode]++;
        if (mode === "503") return Response.json({ error: "service unavailable" }, { status: 503 });
        if (mode === "network") throw new TypeError("fetch failed");
        // Hangs until the client's timeout aborts the attempt.
        return new Promise<Response>((_, reject) => {
          const signal = init?.signal;
          if (!signal) return;
          if (signal.aborted) reject(signal.reason);
          else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        });
      }
      return globalThis.fetch(input, init);
    };

    const ids = await enqueueWork(s.admin, 200);
    const failFirst = new Set(ids.filter((_, i) => i % 4 === 0));
    const runs = new Map<string, number>();
    const router = new Router().route(Work, async (_payload, ctx) => {
      runs.set(ctx.job.id, (runs.get(ctx.job.id) ?? 0) + 1);
      await sleep(1);
      // Retried a second later: a nack whose answer was lost to the 200 ms timeout (a loaded machine)
      // is retried while the job is still scheduled, so the retry cannot fail its next attempt.
      if (failFirst.has(ctx.job.id) && ctx.attempt === 1) throw new RetryAfterError(1_000, "try again shortly");
    });
    const logger = collectingLogger();
    const worker = newWorker({
      client: client(s.url, { fetch: faulty, timeoutMs: 200, retry: false }),
      router,
      concurrency: 10,
      acks: { ...acks, retry: { initialDelayMs: 10, maxDelayMs: 100 } },
      logger,
    });
    const running = start(worker);

    await eventually(async () => (await s.admin.jobs({ status: "completed" }).count()) === ids.length, "every job completed on the server", 15_000, 50);
    await eventually(() => worker.stats().acksPending === 0, "the batcher to drain", 5_000);
    expect(running.outcome.settled).toBe(false);
    expect(faults).toEqual({ ack: FAULTS_PER_KIND, nack: FAULTS_PER_KIND });
    for (const kind of ["ack", "nack"] as const) for (const mode of modes) expect(injected[kind][mode], `${kind} ${mode}`).toBeGreaterThan(0);

    await within(worker.stop(), "stop()", 10_000);
    expect(running.outcome).toEqual({ settled: true });
    expect(await settledCounts(s.admin)).toEqual({ scheduled: 0, ready: 0, in_flight: 0, completed: 200, dead: 0 });
    // No stream was lost, so every job ran once, and once more after its one reported failure.
    const unexpectedRuns = ids
      .filter((id) => runs.get(id) !== (failFirst.has(id) ? 2 : 1))
      .map((id) => ({ id, runs: runs.get(id), failFirst: failFirst.has(id) }));
    expect(unexpectedRuns).toEqual([]);
    expect(worker.stats()).toMatchObject({ completed: 200, failed: failFirst.size, acksPending: 0, connections: 1 });
    const sample = [...failFirst].slice(0, 5);
    for (const id of sample) {
      const errors = await s.admin.errors(id).toArray();
      expect(errors.map((e) => e.errorType)).toEqual(["RetryAfterError"]);
    }
    expect(logger.messages.filter((m) => m.level === "error")).toEqual([]);
  });

  it.each(ACK_MODES)("3: a graceful stop with 200 long handlers running lets them all finish, acks them, and hands the rest back untouched (%s)", async (_mode, acks) => {
    const s = await served();
    const ids = await enqueueWork(s.admin, 400);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started = new Set<string>();
    const finished: { id: string; aborted: boolean }[] = [];
    const router = new Router().route(Work, async (_payload, ctx) => {
      started.add(ctx.job.id);
      // Held until the stop has begun, so none can finish (and free a slot) before it.
      await gate;
      await sleep(300);
      finished.push({ id: ctx.job.id, aborted: ctx.signal.aborted });
    });
    const worker = newWorker({ client: client(s.url), router, concurrency: 200, acks });
    const running = start(worker);

    await eventually(() => started.size === 200 && worker.stats().running === 200, "200 handlers running");
    const stopped = worker.stop();
    setTimeout(release, 50);
    await within(stopped, "stop()", 15_000);
    expect(running.outcome).toEqual({ settled: true });

    // The acks landed before the stream closed: the finished jobs are completed right away.
    expect(await s.admin.jobs({ status: "completed" }).count()).toBe(200);
    expect(await settledCounts(s.admin)).toEqual({ scheduled: 0, ready: 200, in_flight: 0, completed: 200, dead: 0 });
    expect(started.size).toBe(200);
    expect(finished.length).toBe(200);
    expect(finished.filter((f) => f.aborted)).toEqual([]);
    const completed = (await s.admin.jobs({ status: "completed" }).toArray()).map((job) => job.id).sort();
    expect(completed).toEqual([...started].sort());
    const ready = await s.admin.jobs({ status: "ready" }).toArray();
    expect(ready.map((job) => job.id).sort()).toEqual(ids.filter((id) => !started.has(id)).sort());
    expect(ready.filter((job) => job.attempts !== 0)).toEqual([]);
    expect(worker.stats()).toMatchObject({ state: "idle", running: 0, completed: 200, failed: 0, acksPending: 0 });
  });

  it("4: at the shutdown deadline, handlers that ignore their signal are aborted with WorkerStoppedError and their jobs failed", async () => {
    const s = await served();
    const ids = await enqueueWork(s.admin, 4);
    const reasons = new Map<string, unknown>();
    const router = new Router().route(Work, (_payload, ctx) => {
      ctx.signal.addEventListener("abort", () => reasons.set(ctx.job.id, ctx.signal.reason), { once: true });
      return new Promise<never>(() => {}); // never settles, whatever the signal says
    });
    const worker = newWorker({ client: client(s.url), router, concurrency: 4, shutdownTimeout: 200 });
    const running = start(worker);

    await eventually(() => worker.stats().running === 4, "4 handlers running");
    const t0 = performance.now();
    await within(worker.stop(), "stop()", 10_000);
    const elapsed = performance.now() - t0;
    expect(running.outcome).toEqual({ settled: true });
    // shutdownTimeout + the 2 s ack grace at most; generous, to catch only a hang.
    expect(elapsed).toBeLessThan(5_000);

    expect([...reasons.keys()].sort()).toEqual([...ids].sort());
    for (const reason of reasons.values()) expect(reason).toBeInstanceOf(WorkerStoppedError);
    expect(await settledCounts(s.admin)).toEqual({ scheduled: 4, ready: 0, in_flight: 0, completed: 0, dead: 0 });
    for (const id of ids) {
      const job = await s.admin.getJob(id);
      expect(job).toMatchObject({ status: "scheduled", attempts: 1 });
      const errors = await s.admin.errors(id).toArray();
      expect(errors).toMatchObject([{ attempt: 1, errorType: "WorkerStoppedError" }]);
    }
    expect(worker.stats()).toMatchObject({ completed: 0, failed: 4, running: 0, acksPending: 0 });
  });

  it("4b: a stop whose last ack never answers (client timeoutMs: false) ends at the ack deadline; the job goes back to ready", async () => {
    let answerAcks!: () => void;
    const acksHeld = new Promise<void>((resolve) => (answerAcks = resolve));
    const s = await served({}, (server) => ({
      fetch: async (request) => {
        if (request.method === "POST" && new URL(request.url).pathname === "/jobs/success") await acksHeld;
        return server.fetch(request);
      },
    }));
    // Registered after the server, so it runs first: the held request ends before the server closes.
    cleanups.push(async () => answerAcks());
    const [id] = await enqueueWork(s.admin, 1);
    const router = new Router().route(Work, () => {});
    const worker = newWorker({ client: client(s.url, { timeoutMs: false }), router, shutdownTimeout: 100 });
    const running = start(worker);

    await eventually(() => worker.stats().completed === 1 && worker.stats().acksPending === 1, "the job's ack to be sent");
    await within(worker.stop(), "stop()", 8_000);
    expect(running.outcome).toEqual({ settled: true });
    expect(worker.stats().acksPending).toBe(0);
    expect(await settledCounts(s.admin)).toEqual({ scheduled: 0, ready: 1, in_flight: 0, completed: 0, dead: 0 });
    expect((await s.admin.getJob(id as string)).attempts).toBe(0);
  });

  it("5: a silent stream (no heartbeats) is detected and reopened, and jobs flow on the new one", async () => {
    const s = await served({ heartbeatMs: 3_600_000 });
    const connects: number[] = [];
    const disconnects: { connection: number; error?: unknown }[] = [];
    const ran: { id: string; connections: number }[] = [];
    const router = new Router().route(Work, (_payload, ctx) => void ran.push({ id: ctx.job.id, connections: worker.stats().connections }));
    const worker = newWorker({
      client: client(s.url),
      router,
      idleTimeout: 300,
      hooks: {
        onConnect: (info) => void connects.push(info.connection),
        onDisconnect: (info) => void disconnects.push(info),
      },
    });
    const running = start(worker);

    await eventually(() => disconnects.length >= 1 && connects.length >= 2, "a silent stream to be dropped and reopened", 10_000);
    const lost = disconnects[0]?.error;
    expect(lost).toBeInstanceOf(StreamLostError);
    expect((lost as Error).message).toMatch(/silent/);
    expect(disconnects[0]?.connection).toBe(connects[0]);
    // The worker really closed the silent stream: the server sees one take stream at a time.
    await eventually(() => s.server.connections().length === 1, "the server to see one take stream", 5_000);

    const [id] = await enqueueWork(s.admin, 1);
    await eventually(() => ran.length === 1, "the job to run", 10_000);
    await eventually(async () => (await s.admin.jobs({ status: "completed" }).count()) === 1, "the job to complete", 5_000);
    expect(ran[0]?.id).toBe(id);
    expect(ran[0]?.connections).toBeGreaterThanOrEqual(2);
    expect(running.outcome.settled).toBe(false);
    await within(worker.stop(), "stop()", 10_000);
    expect(running.outcome).toEqual({ settled: true });
  });

  describe("5b: a take request that is never answered is cut off, logged, and sent again; jobs flow once a server answers", () => {
    for (const mode of ["silent", "headers"] as const) {
      it(mode === "silent" ? "a front that accepts connections and never answers" : "a front that sends headers and never a byte after", async () => {
        // Heartbeats well inside the short idle timeout: once forwarded, a stream stays up.
        const s = await served({ heartbeatMs: 50 });
        const front = await tcpFront(s.url);
        cleanups.push(() => front.close());
        front.mode = mode;
        const ids = await enqueueWork(s.admin, 3);
        const ran: string[] = [];
        const router = new Router().route(Work, (_payload, ctx) => void ran.push(ctx.job.id));
        const logger = collectingLogger();
        const disconnects: unknown[] = [];
        const worker = newWorker({
          client: client(front.url, { retry: false }),
          router,
          idleTimeout: 200,
          logger,
          hooks: { onDisconnect: (info) => void disconnects.push(info.error) },
        });
        const running = start(worker);

        await eventually(() => front.connections >= 3, "the worker to try again", 10_000);
        expect(ran).toEqual([]);
        const warnings = logger.messages.filter((m) => m.level === "warn").map((m) => m.message);
        if (mode === "silent") {
          expect(warnings).toContainEqual(expect.stringMatching(/take request had no answer within 200 ms/));
          // The error names the whole request, query included, as every other take error does.
          const first = logger.messages.find((m) => m.message.startsWith("the take request had no answer"));
          expect(first?.details).toMatchObject({ error: { name: "ZizqTimeoutError", timeoutMs: 200, request: { path: expect.stringMatching(/^\/jobs\/take\?.*prefetch=/) } } });
          expect(worker.stats().connections).toBe(0);
        } else {
          expect(warnings).toContainEqual(expect.stringMatching(/take stream \d+ lost; reconnecting/));
          expect(String(disconnects[0])).toMatch(/silent/);
        }

        front.mode = "forward";
        await eventually(() => ran.length === 3, "the jobs to run", 10_000);
        await eventually(async () => (await s.admin.jobs({ status: "completed" }).count()) === 3, "the jobs to complete", 10_000);
        expect(running.outcome.settled).toBe(false);
        await within(worker.stop(), "stop()", 10_000);
        expect(running.outcome).toEqual({ settled: true });
        expect(ran.sort()).toEqual([...ids].sort());
        expect(logger.messages.filter((m) => m.level === "error")).toEqual([]);
      });
    }

    it("stop() during a take request that is never answered ends without waiting for the deadline, even with a fetch that ignores its signal", async () => {
      const s = await served();
      const front = await tcpFront(s.url);
      cleanups.push(() => front.close());
      const deaf: typeof globalThis.fetch = (input, init) => globalThis.fetch(input, { ...init, signal: null });
      for (const fetch of [globalThis.fetch, deaf]) {
        const before = front.connections;
        const worker = newWorker({ client: client(front.url, { fetch }), router: new Router(), idleTimeout: 60_000 });
        const running = start(worker);
        await eventually(() => front.connections > before, "the take request to be sent");
        await within(worker.stop(), `stop() with ${fetch === deaf ? "a fetch that ignores its signal" : "the global fetch"}`, 5_000);
        expect(running.outcome).toEqual({ settled: true });
      }
    });
  });

  describe("6: a bad frame ends in a clear outcome, never a crashed worker", () => {
    it("(a) a malformed line carrying a real job id: that job is killed as ZizqFrameError, the stream goes on", async () => {
      let target = "";
      const s = await served({}, rewritingTakeFront((line) => (target !== "" && line.includes(`"id":"${target}"`) ? `{"id":"${target}", garbage` : line)));
      const before = await enqueueWork(s.admin, 3);
      target = (await enqueueWork(s.admin, 1, () => ({ n: 99 })))[0] as string;
      const after = await enqueueWork(s.admin, 3);
      const ran: string[] = [];
      const router = new Router().route(Work, (_payload, ctx) => void ran.push(ctx.job.id));
      const worker = newWorker({ client: client(s.url), router });
      const running = start(worker);

      await eventually(async () => (await s.admin.jobs({ status: "dead" }).count()) === 1, "the bad frame's job to be killed", 10_000, 20);
      await eventually(async () => (await s.admin.jobs({ status: "completed" }).count()) === 6, "the other jobs to complete", 10_000, 20);
      const dead = await s.admin.getJob(target);
      expect(dead.status).toBe("dead");
      expect(await s.admin.errors(target).toArray()).toMatchObject([{ attempt: 1, errorType: "ZizqFrameError" }]);
      expect(ran.sort()).toEqual([...before, ...after].sort());
      expect(worker.stats()).toMatchObject({ state: "running", badFrames: 1, connections: 1 });
      expect(running.outcome.settled).toBe(false);
      await within(worker.stop(), "stop()", 10_000);
      expect(running.outcome).toEqual({ settled: true });
    });

    it("(b) a frame over maxFrameBytes: that job is killed as ZizqFrameError, others keep flowing on the same stream", async () => {
      const s = await served();
      const before = await enqueueWork(s.admin, 3);
      const [big] = await enqueueWork(s.admin, 1, () => ({ n: 1, blob: "x".repeat(10_000) }));
      const after = await enqueueWork(s.admin, 3);
      const ran: string[] = [];
      const router = new Router().route(Work, (_payload, ctx) => void ran.push(ctx.job.id));
      const worker = newWorker({ client: client(s.url), router, maxFrameBytes: 2048 });
      const running = start(worker);

      await eventually(async () => (await s.admin.jobs({ status: "dead" }).count()) === 1, "the big job to be killed", 10_000, 20);
      await eventually(async () => (await s.admin.jobs({ status: "completed" }).count()) === 6, "the other jobs to complete", 10_000, 20);
      // More jobs, after the skip, on the same stream.
      const later = await enqueueWork(s.admin, 3);
      await eventually(async () => (await s.admin.jobs({ status: "completed" }).count()) === 9, "the later jobs to complete", 10_000, 20);

      const errors = await s.admin.errors(big as string).toArray();
      expect(errors).toMatchObject([{ attempt: 1, errorType: "ZizqFrameError" }]);
      expect(errors[0]?.message).toMatch(/maxFrameBytes/);
      expect((await s.admin.getJob(big as string)).status).toBe("dead");
      expect(ran.sort()).toEqual([...before, ...after, ...later].sort());
      expect(worker.stats()).toMatchObject({ state: "running", badFrames: 1, connections: 1 });
      expect(running.outcome.settled).toBe(false);
      await within(worker.stop(), "stop()", 10_000);
      expect(running.outcome).toEqual({ settled: true });
    });

    it("(c) a payload that fails its schema: killed as ZizqValidationError, the handler never sees it", async () => {
      const s = await served();
      const bad = await s.admin.enqueueRaw({ type: "strict", queue: "reliability", payload: { n: "not a number" } });
      const good = await s.admin.enqueue(Strict, { n: 1 });
      const ran: unknown[] = [];
      const router = new Router().route(Strict, (payload) => void ran.push(payload));
      const worker = newWorker({ client: client(s.url), router });
      const running = start(worker);

      await eventually(async () => {
        const c = await counts(s.admin);
        return c.dead === 1 && c.completed === 1;
      }, "both jobs settled", 10_000, 20);
      expect((await s.admin.getJob(bad.id)).status).toBe("dead");
      expect((await s.admin.getJob(good.id)).status).toBe("completed");
      expect(await s.admin.errors(bad.id).toArray()).toMatchObject([{ attempt: 1, errorType: "ZizqValidationError" }]);
      expect(ran).toEqual([{ n: 1 }]);
      expect(worker.stats()).toMatchObject({ state: "running", badFrames: 0, connections: 1, completed: 1, failed: 1 });
      await within(worker.stop(), "stop()", 10_000);
      expect(running.outcome).toEqual({ settled: true });
    });

    it("(d) a bad frame arriving while a stop flushes the last acks: no unhandled rejection, the job is not left in flight", async () => {
      const s = await served();
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
      process.on("unhandledRejection", onUnhandled);
      cleanups.push(async () => void process.off("unhandledRejection", onUnhandled));
      const [small] = await enqueueWork(s.admin, 1);
      const [big] = await enqueueWork(s.admin, 1, () => ({ n: 1, blob: "x".repeat(10_000) }));
      // Acks reach the server at once (freeing the stream's prefetch slot, so the big job is
      // sent), but their answers come back 300 ms later: the stop is still flushing acks then.
      const slowAckAnswers: typeof globalThis.fetch = async (input, init) => {
        const response = await globalThis.fetch(input, init);
        if (ackIds(input, init) !== undefined) await sleep(300);
        return response;
      };
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      cleanups.push(async () => release());
      const router = new Router().route(Work, () => held);
      const worker = newWorker({ client: client(s.url, { fetch: slowAckAnswers }), router, concurrency: 1, prefetch: 1, maxFrameBytes: 2048 });
      const running = start(worker);

      await eventually(() => worker.stats().running === 1, "the small job to run");
      const stopped = worker.stop();
      release();
      await within(stopped, "stop()", 10_000);
      expect(running.outcome).toEqual({ settled: true });
      await sleep(50); // unhandled rejections are reported once the microtask queue drains
      expect((await s.admin.getJob(small as string)).status).toBe("completed");
      expect(worker.stats().badFrames).toBe(1);
      expect((await settledCounts(s.admin)).in_flight).toBe(0);
      expect(["dead", "ready"]).toContain((await s.admin.getJob(big as string)).status);
      expect(unhandled.map((reason) => String(reason))).toEqual([]);
    });
  });

  describe("7: drain() returns on time with everything it took settled", () => {
    it("(i) maxIdle: 50 jobs of 20 ms, then idle", async () => {
      const s = await served();
      await enqueueWork(s.admin, 50);
      let runs = 0;
      const router = new Router().route(Work, async () => {
        runs++;
        await sleep(20);
      });
      const worker = newWorker({ client: client(s.url), router });
      const summary = await within(worker.drain({ maxIdle: 200 }), "drain()", 15_000);
      expect(summary).toMatchObject({ reason: "idle", processed: 50, completed: 50, failed: 0 });
      expect(runs).toBe(50);
      expect(await settledCounts(s.admin)).toEqual({ scheduled: 0, ready: 0, in_flight: 0, completed: 50, dead: 0 });
    });

    it("(ii) maxJobs: 100 of 1,000 run, the other 900 are back in ready", async () => {
      const s = await served();
      await enqueueWork(s.admin, 1000);
      const started: string[] = [];
      const router = new Router().route(Work, async (_payload, ctx) => {
        started.push(ctx.job.id);
        await sleep(1);
      });
      const worker = newWorker({ client: client(s.url), router });
      const summary = await within(worker.drain({ maxJobs: 100 }), "drain()", 15_000);
      expect(summary).toMatchObject({ reason: "maxJobs", processed: 100, completed: 100, failed: 0 });
      expect(started.length).toBe(100);
      // Completed right away: the acks landed before drain returned.
      expect(await s.admin.jobs({ status: "completed" }).count()).toBe(100);
      expect(await settledCounts(s.admin)).toEqual({ scheduled: 0, ready: 900, in_flight: 0, completed: 100, dead: 0 });
      const completed = (await s.admin.jobs({ status: "completed" }).toArray()).map((job) => job.id).sort();
      expect(completed).toEqual([...started].sort());
      const ready = await s.admin.jobs({ status: "ready" }).toArray();
      expect(ready.filter((job) => job.attempts !== 0)).toEqual([]);
    });

    it("(iii) maxDuration: endless slow jobs, returns within the bound with every started job completed", async () => {
      const s = await served();
      await enqueueWork(s.admin, 1000);
      const started = new Set<string>();
      const router = new Router().route(Work, async (_payload, ctx) => {
        started.add(ctx.job.id);
        await sleep(100);
      });
      const worker = newWorker({ client: client(s.url), router });
      const t0 = performance.now();
      const summary = await within(worker.drain({ maxDuration: 1_500 }), "drain()", 15_000);
      const elapsed = performance.now() - t0;
      expect(summary.reason).toBe("maxDuration");
      expect(elapsed).toBeLessThan(1_500 + 1_000);
      expect(summary.durationMs).toBeLessThan(1_500 + 1_000);
      expect(summary.processed).toBeGreaterThan(0);
      expect(summary).toMatchObject({ processed: started.size, completed: started.size, failed: 0 });
      expect(await s.admin.jobs({ status: "completed" }).count()).toBe(started.size);
      expect(await settledCounts(s.admin)).toEqual({ scheduled: 0, ready: 1000 - started.size, in_flight: 0, completed: started.size, dead: 0 });
    });
  });
});
