import type { TakeConnection } from "../client/take.ts";
import type { Duration, Job } from "../client/types.ts";
import { ZizqArgumentError } from "../errors/argument-error.ts";
import { ZizqFrameError } from "../errors/frame-error.ts";
import { ZizqHttpError } from "../errors/http-error.ts";
import { ZizqRedirectError } from "../errors/redirect-error.ts";
import { ZizqTimeoutError } from "../errors/timeout-error.ts";
import { ZizqError } from "../errors/zizq-error.ts";
import { describeCause, type FrameSink } from "../stream/options.ts";
import { backoffDelay, sleep } from "../utils/backoff.ts";
import { checkSignal } from "../utils/arguments.ts";
import { JobTimeoutError, StreamLostError, WorkerStoppedError } from "./abort-reasons.ts";
import { AckBatcher } from "../processing/ack-batcher.ts";
import { failed, type Outcome } from "../processing/outcome.ts";
import { drainLimits, stopTimeoutMs, type WorkerHooks, type WorkerOptions, type WorkerSettings, workerSettings } from "./worker-options.ts";

/** After the handlers' deadline, acks and nacks still out get this long to land before the stream closes. */
const ACK_GRACE_MS = 2_000;

/** Ids kept for recognising redelivered jobs, at most. */
const UNSETTLED_CAP = 10_000;

/** Options of `worker.stop()`. */
export interface StopOptions {
  /** Skip to the deadline: abort running handlers now and fail their jobs. */
  immediate?: boolean;
  /** How long running handlers get; default the worker's `shutdownTimeout`. */
  timeout?: Duration;
}

/** Limits of `worker.drain()`: it ends at the first one reached. */
export interface DrainOptions {
  /** `drain` resolves within about this long: it stops taking early enough for handlers and acks to finish. Default no limit. */
  maxMs?: Duration;
  /** Jobs to run at most. Default no limit. */
  maxJobs?: number;
  /** Stop after this long with nothing to do (no job arriving, none running). Default 1 s. */
  idleMs?: Duration;
  /** Stops the drain early, gracefully. */
  signal?: AbortSignal;
}

/** What `worker.drain()` resolves with. */
export interface DrainSummary {
  /** Jobs run to an outcome: `completed + failed`. */
  processed: number;
  completed: number;
  failed: number;
  durationMs: number;
  /** What ended the drain. */
  reason: "maxJobs" | "maxMs" | "idle" | "signal";
}

/** A snapshot of a worker's counters, from `worker.stats()`. */
export interface WorkerStats {
  state: "idle" | "running" | "stopping";
  /** A take stream is open. */
  connected: boolean;
  /** Take streams opened so far. */
  connections: number;
  /** Jobs received from the server. */
  taken: number;
  /** Handlers running now. */
  running: number;
  /** Jobs received and waiting for a free handler slot. */
  buffered: number;
  completed: number;
  failed: number;
  /** Acks and nacks handed to the batcher that have not landed yet. */
  acksPending: number;
  /** Bulk ack requests that landed. */
  ackRequests: number;
  /** Frames that could not be decoded (each logged; its job killed when its id was readable). */
  badFrames: number;
}

/** One take stream and the jobs it delivered. */
interface Connection {
  readonly id: number;
  /** Aborting it closes the take request. */
  readonly stream: AbortController;
  /** The signal of this stream's handlers, unless a job timeout gives each its own. */
  readonly handlers: AbortController;
  readonly sink: FrameSink;
  /** Jobs received while every handler slot was busy; `head` is the next to start. */
  readonly buffer: Job<unknown>[];
  head: number;
  lastByteAt: number;
  watchdog: ReturnType<typeof setTimeout> | undefined;
  /** The stream broke: the server has handed its unacked jobs back. */
  lost: boolean;
}

/** A job whose handler has started and not yet been settled. */
interface Running {
  readonly job: Job<unknown>;
  readonly conn: Connection;
  /** When the handler started, for the hooks' `durationMs`; 0 when no hook needs it. */
  readonly startedAt: number;
  /** Only with a job timeout: the job's own signal. */
  readonly own: AbortController | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  settled: boolean;
}

/** When a stop ends, as `performance.now()` times. */
interface StopPlan {
  /** Running handlers are aborted and their jobs failed at this time. */
  handlersBy: number;
  /** Acks and nacks not landed by then are given up (the server requeues those jobs when the stream closes). */
  acksBy: number;
}

/**
 * Takes jobs from one Zizq take stream and runs them through a Router: at most `concurrency`
 * handlers at once, acks batched, failures reported, the stream reopened with backoff when it
 * breaks. `run(signal)` runs until stopped; `drain(...)` runs a bounded batch (for cron-driven
 * and serverless use).
 */
export class Worker {
  readonly #s: WorkerSettings;
  readonly #hooks: WorkerHooks;
  /** Whether a hook reports job durations: without one, no clock is read per job. */
  readonly #timesJobs: boolean;
  #state: WorkerStats["state"] = "idle";
  #batcher: AckBatcher | undefined;
  #conn: Connection | undefined;
  /** A take request not yet answered: a stop aborts it. */
  #opening: Connection | undefined;
  readonly #running = new Set<Running>();
  /**
   * Jobs completed here that the server may hand out again: their ack had not landed when their
   * stream broke, or it came back "not in flight". Zizq has no lease token, so this is how a
   * redelivered one is recognised. Empty until a stream breaks or an ack is refused; oldest first.
   */
  readonly #unsettled = new Set<string>();
  /** Handlers still running for jobs of a broken stream, by job id: a copy of one must wait for it. */
  readonly #lostRuns = new Set<string>();
  /** Copies that arrived while their original was still running here (see `#guarded`). */
  readonly #copies = new Map<string, { job: Job<unknown>; conn: Connection }>();
  #active = 0;
  /** Stop taking new jobs at this many started (a drain's `maxJobs`). */
  #startLimit = Infinity;
  #onStartLimit: (() => void) | undefined;
  #prefetch: number;

  /** Fires when a stop begins: cuts reconnect waits short. */
  #stopping = new AbortController();
  /** Fires at the handlers' deadline, or on an immediate stop. */
  #deadline = new AbortController();
  #plan: StopPlan | undefined;
  #stopRequested: () => void = noop;
  #handlersIdle: (() => void) | undefined;
  #finished: Promise<void> = Promise.resolve();

  #connections = 0;
  #taken = 0;
  #started = 0;
  #completed = 0;
  #failed = 0;
  #ackRequests = 0;
  #badFrames = 0;

  constructor(options: WorkerOptions) {
    this.#s = workerSettings(options);
    this.#hooks = this.#s.hooks;
    this.#timesJobs = this.#hooks.onJobSuccess !== undefined || this.#hooks.onJobFailure !== undefined;
    this.#prefetch = this.#s.prefetch;
  }

  /**
   * Takes and runs jobs until `signal` aborts or `stop()` is called, then stops gracefully: no
   * new jobs start, running handlers finish (up to `shutdownTimeout`), acks land, and only then
   * does the stream close (closing first would hand finished jobs back). Rejects when the server
   * refuses the take request with a 4xx (bad queue name, wrong URL, license): retrying cannot help.
   */
  async run(signal?: AbortSignal): Promise<void> {
    checkSignal("signal", signal);
    if (this.#state !== "idle") throw new ZizqError("the worker is running already; stop it first");
    this.#state = "running";
    this.#stopping = new AbortController();
    this.#deadline = new AbortController();
    this.#plan = undefined;
    this.#batcher = new AckBatcher(this.#s.client, {
      ...this.#s.acks,
      logger: this.#s.logger,
      random: this.#s.reconnect.random,
      onFlush: (info) => {
        this.#ackRequests++;
        for (const id of info.notFound) this.#remember(id);
        if (this.#hooks.onAckFlush !== undefined) this.#call("onAckFlush", () => this.#hooks.onAckFlush?.(info));
      },
    });
    const requested = new Promise<void>((resolve) => (this.#stopRequested = resolve));
    let finish!: () => void;
    this.#finished = new Promise<void>((resolve) => (finish = resolve));
    const onAbort = (): void => void this.stop();
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });

    let fatal: unknown;
    const taking = this.#takeLoop().catch((error: unknown) => {
      fatal = error;
      void this.stop();
    });
    try {
      await requested;
      await this.#shutDown();
      await taking;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.#state = "idle";
      this.#startLimit = Infinity;
      this.#prefetch = this.#s.prefetch;
      finish();
    }
    if (fatal !== undefined) throw fatal;
  }

  /**
   * Stops a running worker gracefully (see `run`), giving handlers `timeout` (default the
   * `shutdownTimeout` option); with `immediate`, aborts running handlers now and fails their jobs,
   * as the deadline would. Resolves when `run` has returned.
   */
  stop(options: StopOptions = {}): Promise<void> {
    const timeoutMs = stopTimeoutMs(options, this.#s.shutdownTimeoutMs);
    if (this.#state === "idle") return Promise.resolve();
    if (this.#state === "running") {
      const now = performance.now();
      this.#beginStop({ handlersBy: now + timeoutMs, acksBy: now + timeoutMs + ACK_GRACE_MS });
    }
    if (options.immediate) this.#deadline.abort();
    return this.#finished;
  }

  /**
   * Runs jobs until `maxJobs` have started, `maxMs` is nearly up, nothing has happened for
   * `idleMs`, or `signal` aborts; then stops as `stop()` does and reports what was done.
   */
  async drain(options: DrainOptions = {}): Promise<DrainSummary> {
    const { maxMs, maxJobs, idleMs } = drainLimits(options);
    if (this.#state !== "idle") throw new ZizqError("the worker is running already; stop it first");

    const startedAt = performance.now();
    const before = { completed: this.#completed, failed: this.#failed };
    let reason: DrainSummary["reason"] = "signal";
    const end = (why: DrainSummary["reason"], plan: StopPlan): void => {
      if (this.#state !== "running") return;
      reason = why;
      this.#beginStop(plan);
    };
    const defaultPlan = (): StopPlan => {
      const now = performance.now();
      const handlersBy = Math.min(now + this.#s.shutdownTimeoutMs, startedAt + maxMs - Math.min(ACK_GRACE_MS, maxMs / 8));
      return { handlersBy, acksBy: Math.min(handlersBy + ACK_GRACE_MS, startedAt + maxMs) };
    };

    // Room at the end of `maxMs` for running handlers and the last acks.
    const reserve = Math.min(this.#s.shutdownTimeoutMs + ACK_GRACE_MS, maxMs / 4);
    const timers: ReturnType<typeof setTimeout>[] = [];
    if (maxMs !== Infinity) timers.push(setTimeout(() => end("maxMs", defaultPlan()), maxMs - reserve));
    // Idle means an open stream delivered nothing for a while, with no job or ack outstanding: a
    // take still opening, or acks still out (which the server waits for to send more), are not idle.
    let seen = -1;
    const checkIdle = (): void => {
      const activity = this.#taken + this.#connections + this.#ackRequests;
      const quiet = this.#conn !== undefined && this.#active === 0 && this.#buffered() === 0 && this.#batcher?.pending === 0;
      if (quiet && activity === seen) return end("idle", defaultPlan());
      seen = quiet ? activity : -1;
      timers.push(setTimeout(checkIdle, idleMs / 2));
    };
    timers.push(setTimeout(checkIdle, idleMs / 2));
    const onAbort = (): void => end("signal", defaultPlan());
    options.signal?.addEventListener("abort", onAbort, { once: true });

    this.#startLimit = this.#started + maxJobs;
    this.#onStartLimit = () => end("maxJobs", defaultPlan());
    this.#prefetch = Math.min(this.#s.prefetch, maxJobs);
    const running = this.run();
    if (options.signal?.aborted) onAbort();
    try {
      await running;
    } finally {
      for (const timer of timers) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      this.#onStartLimit = undefined;
    }
    const completed = this.#completed - before.completed;
    const failedCount = this.#failed - before.failed;
    return { processed: completed + failedCount, completed, failed: failedCount, durationMs: performance.now() - startedAt, reason };
  }

  /** A snapshot of the worker's counters (since it was made) and state. */
  stats(): WorkerStats {
    return {
      state: this.#state,
      connected: this.#conn !== undefined,
      connections: this.#connections,
      taken: this.#taken,
      running: this.#active,
      buffered: this.#buffered(),
      completed: this.#completed,
      failed: this.#failed,
      acksPending: this.#batcher?.pending ?? 0,
      ackRequests: this.#ackRequests,
      badFrames: this.#badFrames,
    };
  }

  #beginStop(plan: StopPlan): void {
    if (this.#state !== "running") return;
    this.#state = "stopping";
    this.#plan = plan;
    this.#stopping.abort();
    this.#opening?.stream.abort(new WorkerStoppedError("the worker stopped"));
    this.#stopRequested();
  }

  // --- the take stream ---

  /** Opens the take stream, reads it until it breaks, and reopens it with backoff, until a stop. */
  async #takeLoop(): Promise<void> {
    const s = this.#s;
    let attempt = 0;
    // Open failures since the stream was last up: the first is logged with its error, later ones in a line each.
    let failures = 0;
    while (this.#state === "running") {
      const conn = this.#connection();
      this.#opening = conn;
      let opened: TakeConnection;
      try {
        opened = await s.client.openTake({
          queues: s.queues,
          prefetch: this.#prefetch,
          format: s.format,
          workerId: s.workerId,
          maxFrameBytes: s.maxFrameBytes,
          signal: conn.stream.signal,
          // The silence watchdog starts with the response; until then this deadline stands in for it.
          openTimeoutMs: s.idleTimeoutMs,
        });
      } catch (error) {
        if (this.#state !== "running") return;
        if (isFatal(error)) throw error;
        attempt++;
        failures++;
        const delayMs = backoffDelay(s.reconnect, attempt);
        const retrying = `retrying in ${Math.round(delayMs)} ms`;
        const what = error instanceof ZizqTimeoutError ? `the take request had no answer within ${s.idleTimeoutMs} ms` : "could not open the take stream";
        if (failures === 1) s.logger.warn(`${what}; ${retrying}`, { error });
        else s.logger.warn(`${what} (attempt ${failures}: ${describeCause(error)}); ${retrying}`);
        await sleep(delayMs, this.#stopping.signal);
        continue;
      } finally {
        this.#opening = undefined;
      }
      if (this.#state !== "running") {
        await opened.body.cancel().catch(noop);
        return;
      }
      if (failures > 0) s.logger.info(`the take stream is open again after ${failures === 1 ? "a failed attempt" : `${failures} failed attempts`}`);
      failures = 0;
      const openedAt = performance.now();
      this.#conn = conn;
      this.#connections++;
      if (this.#hooks.onConnect !== undefined) {
        const info = { connection: conn.id, contentType: opened.contentType };
        this.#call("onConnect", () => this.#hooks.onConnect?.(info));
      }
      const error = await this.#read(conn, opened);
      this.#lose(conn, error);
      if (this.#state !== "running") return;
      if (performance.now() - openedAt >= s.reconnect.healthyAfterMs) attempt = 0;
      attempt++;
      await sleep(backoffDelay(s.reconnect, attempt), this.#stopping.signal);
    }
  }


  #connection(): Connection {
    const conn: Connection = {
      id: this.#connections + 1,
      stream: new AbortController(),
      handlers: new AbortController(),
      sink: {
        enqueue: (job) => this.#accept(job as Job<unknown>, conn),
        skip: (error) => this.#skip(error),
      },
      buffer: [],
      head: 0,
      lastByteAt: 0,
      watchdog: undefined,
      lost: false,
    };
    return conn;
  }

  /**
   * Feeds the stream's chunks to its decoder, which hands jobs to the sink synchronously: no
   * stream stage or promise per job. Resolves with why the stream ended (`undefined` when the
   * worker closed it).
   */
  async #read(conn: Connection, { body, jobs }: TakeConnection): Promise<unknown> {
    const reader = body.getReader();
    const sink = conn.sink;
    const signal = conn.stream.signal;
    // Not every fetch ends a body when its signal aborts (an in-process one need not): cancel it too.
    const onAbort = (): void => void reader.cancel(signal.reason).catch(noop);
    signal.addEventListener("abort", onAbort, { once: true });
    conn.lastByteAt = performance.now();
    conn.watchdog = setTimeout(this.#checkSilence, this.#s.idleTimeoutMs, conn);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (signal.aborted) return signal.reason;
        if (done) {
          jobs.flush(sink);
          return new StreamLostError("the server ended the take stream");
        }
        conn.lastByteAt = performance.now();
        jobs.transform(value, sink);
      }
    } catch (error) {
      return signal.aborted ? signal.reason : error;
    } finally {
      clearTimeout(conn.watchdog);
      signal.removeEventListener("abort", onAbort);
      if (!signal.aborted) conn.stream.abort();
      reader.cancel().catch(noop);
    }
  }

  readonly #checkSilence = (conn: Connection): void => {
    const limit = this.#s.idleTimeoutMs;
    const silent = performance.now() - conn.lastByteAt;
    if (silent < limit) {
      conn.watchdog = setTimeout(this.#checkSilence, limit - silent, conn);
      return;
    }
    conn.stream.abort(new StreamLostError(`the take stream was silent for ${Math.round(silent)} ms (no job, no heartbeat); reopening it`));
  };

  /** The stream is gone: its waiting jobs are the server's again, and its running handlers are told. */
  #lose(conn: Connection, error: unknown): void {
    const closedByUs = error instanceof WorkerStoppedError;
    if (this.#conn === conn) this.#conn = undefined;
    conn.buffer.length = conn.head = 0;
    if (!closedByUs) {
      conn.lost = true;
      for (const id of this.#batcher?.unlandedAcks() ?? []) this.#remember(id);
      const reason = new StreamLostError("the take stream broke; the server has handed this job back", { cause: error });
      conn.handlers.abort(reason);
      for (const run of this.#running) {
        if (run.conn !== conn) continue;
        run.own?.abort(reason);
        this.#lostRuns.add(run.job.id);
      }
      this.#s.logger.warn(`take stream ${conn.id} lost; reconnecting`, { error });
    }
    if (this.#hooks.onDisconnect !== undefined) {
      const info = closedByUs ? { connection: conn.id } : { connection: conn.id, error };
      this.#call("onDisconnect", () => this.#hooks.onDisconnect?.(info));
    }
  }

  /** A frame the decoder could not read: the job is killed when its id is known, since its bytes will not change. */
  #skip(error: ZizqFrameError): void {
    this.#badFrames++;
    const id = error.jobId;
    if (id === undefined) {
      this.#s.logger.error("skipped a take-stream frame that could not be decoded; its job stays in flight until the stream reopens", { error });
      return;
    }
    this.#s.logger.error(`killing job ${id}: its take-stream frame could not be decoded`, { error });
    void this.#batcher?.nack(id, { message: error.message, errorType: error.name, kill: true });
  }

  // --- running jobs ---

  #accept(job: Job<unknown>, conn: Connection): void {
    this.#taken++;
    if (this.#guarded(job, conn)) return;
    if (this.#active < this.#s.concurrency && this.#state === "running") this.#start(job, conn);
    else conn.buffer.push(job);
  }

  /**
   * The redelivery guard, checked when a job arrives and again when it leaves the buffer, in case
   * its id was learnt while it waited (an ack answered "not in flight" after it arrived): a copy
   * of a job completed here is acked, and a copy of one whose handler still runs here waits for
   * that handler's outcome. Returns whether
   * it took the job. Costs two size checks until a stream breaks or an ack is refused.
   */
  #guarded(job: Job<unknown>, conn: Connection): boolean {
    if (this.#unsettled.size === 0 && this.#lostRuns.size === 0) return false;
    if (this.#unsettled.has(job.id)) {
      this.#redelivered(job);
      return true;
    }
    if (!this.#lostRuns.has(job.id)) return false;
    this.#copies.set(job.id, { job, conn });
    return true;
  }

  /**
   * Remembers a job completed here that the server may hand out again. Acking such a copy instead
   * of running it is right only because the work it stands for is done: ids come here only from
   * acks, and only handlers that completed are acked (never a failure, never a job merely
   * received). An ack answered "not in flight" means the server took the job back (it saw the
   * stream break first) or completed it already; either way the handler here did finish it.
   */
  #remember(id: string): void {
    const ids = this.#unsettled;
    ids.add(id);
    // Copies taken by other workers never come here: forget the oldest rather than grow without bound.
    if (ids.size > UNSETTLED_CAP) ids.delete(ids.values().next().value as string);
  }

  /** A handler of a broken stream's job ended: a copy waiting for it is acked (see `#guarded`) or queued to run. */
  #releaseCopy(id: string): void {
    const copy = this.#copies.get(id);
    if (copy === undefined) return;
    this.#copies.delete(id);
    // Its own stream broke too: the server has the copy back.
    if (copy.conn !== this.#conn) return;
    if (!this.#guarded(copy.job, copy.conn)) copy.conn.buffer.push(copy.job);
  }

  #buffered(): number {
    const conn = this.#conn;
    return conn === undefined ? 0 : conn.buffer.length - conn.head;
  }

  #start(job: Job<unknown>, conn: Connection): void {
    this.#active++;
    const timeoutMs = this.#s.jobTimeoutMs;
    const own = timeoutMs === undefined ? undefined : new AbortController();
    const run: Running = { job, conn, startedAt: this.#timesJobs ? performance.now() : 0, own, timer: undefined, settled: false };
    if (own !== undefined) run.timer = setTimeout(this.#timeOut, timeoutMs, run);
    this.#running.add(run);
    if (this.#hooks.onJobStart !== undefined) this.#call("onJobStart", () => this.#hooks.onJobStart?.(job));
    this.#s.router
      .dispatch(job, { signal: (own ?? conn.handlers).signal, log: this.#s.logger })
      .then((outcome) => this.#finish(run, outcome));
    if (++this.#started === this.#startLimit) this.#onStartLimit?.();
  }

  /** Starts waiting jobs while slots are free. */
  #next(): void {
    const conn = this.#conn;
    if (conn !== undefined) {
      const buffer = conn.buffer;
      while (conn.head < buffer.length && this.#active < this.#s.concurrency && this.#state === "running") {
        const job = buffer[conn.head] as Job<unknown>;
        buffer[conn.head++] = undefined as unknown as Job<unknown>;
        if (!this.#guarded(job, conn)) this.#start(job, conn);
      }
      if (conn.head === buffer.length) buffer.length = conn.head = 0;
    }
    if (this.#active === 0) this.#handlersIdle?.();
  }

  #finish(run: Running, outcome: Outcome): void {
    // Already settled by its timeout or the shutdown deadline: the late result changes nothing.
    if (run.settled) {
      this.#s.logger.debug(`job ${run.job.id} finished after it was given up`, { outcome: outcome.kind });
      return;
    }
    this.#settle(run, outcome);
    this.#next();
  }

  #settle(run: Running, outcome: Outcome): void {
    run.settled = true;
    if (run.timer !== undefined) clearTimeout(run.timer);
    this.#running.delete(run);
    this.#active--;
    this.#report(run, outcome);
    if (run.conn.lost && this.#lostRuns.delete(run.job.id)) this.#releaseCopy(run.job.id);
  }

  /** Tells the server, the counters and the hooks how a job ended. */
  #report(run: Running, outcome: Outcome): void {
    const job = run.job;
    const batcher = this.#batcher as AckBatcher;
    if (outcome.kind === "completed") {
      this.#completed++;
      // Even from a lost stream: the work is done, and the ack wins if the job was not taken again yet.
      void batcher.ack(job.id);
      if (run.conn.lost) this.#remember(job.id);
      if (this.#hooks.onJobSuccess !== undefined) {
        const info = { durationMs: performance.now() - run.startedAt };
        this.#call("onJobSuccess", () => this.#hooks.onJobSuccess?.(job, info));
      }
      return;
    }
    if (outcome.kind === "settled") {
      if (outcome.completed) this.#completed++;
      else this.#failed++;
      return;
    }
    this.#failed++;
    // A lost stream's jobs are back in ready; failing one now would count an attempt it never had.
    if (run.conn.lost) this.#s.logger.debug(`job ${job.id} failed after its stream was lost; not reported`);
    else void batcher.nack(job.id, outcome.failure, job);
    if (this.#hooks.onJobFailure !== undefined) {
      const info = { error: outcome.error, failure: outcome.failure, durationMs: performance.now() - run.startedAt };
      this.#call("onJobFailure", () => this.#hooks.onJobFailure?.(job, info));
    }
  }

  /**
   * A job this worker has run to completion came back: its stream broke before the ack landed, and
   * the server handed it out again. It is acked, not run: if the first ack landed meanwhile this one
   * is answered "not found"; if that one came too early (the job was ready then), this one lands.
   * Hence `ackAgain`: an ack of it still out does not stand for this one.
   */
  #redelivered(job: Job<unknown>): void {
    this.#unsettled.delete(job.id);
    this.#s.logger.debug(`job ${job.id} came back after it completed here; acking it again instead of running it`);
    void (this.#batcher as AckBatcher).ackAgain(job.id);
  }

  readonly #timeOut = (run: Running): void => {
    if (run.settled) return;
    const error = new JobTimeoutError(`job ${run.job.id} ran longer than jobTimeout (${this.#s.jobTimeoutMs} ms)`);
    run.own?.abort(error);
    this.#s.logger.warn(error.message);
    this.#settle(run, failed(error, Date.now));
    this.#next();
  };

  // --- stopping ---

  /** DESIGN §4: handlers finish while the stream stays open, acks land, then the stream closes. */
  async #shutDown(): Promise<void> {
    const plan = this.#plan as StopPlan;
    const deadline = this.#deadline;
    const untilHandlers = setTimeout(() => deadline.abort(), Math.max(0, plan.handlersBy - performance.now()));
    if (this.#active > 0 && !deadline.signal.aborted) {
      await new Promise<void>((resolve) => {
        this.#handlersIdle = resolve;
        deadline.signal.addEventListener("abort", () => resolve(), { once: true });
      });
      this.#handlersIdle = undefined;
    }
    clearTimeout(untilHandlers);
    if (this.#active > 0) this.#abandonRunning();

    const acks = new AbortController();
    const untilAcks = setTimeout(() => acks.abort(), Math.max(0, Math.max(plan.acksBy, performance.now() + 1) - performance.now()));
    try {
      await (this.#batcher as AckBatcher).close({ signal: acks.signal });
    } finally {
      clearTimeout(untilAcks);
    }
    const conn = this.#conn;
    if (conn !== undefined) conn.stream.abort(new WorkerStoppedError("the worker stopped"));
  }

  /** The deadline passed with handlers still running: tell them, and fail their jobs. */
  #abandonRunning(): void {
    const reason = new WorkerStoppedError("the worker stopped before this job's handler finished");
    const running = [...this.#running];
    for (const run of running) (run.own ?? run.conn.handlers).abort(reason);
    for (const run of running) this.#settle(run, failed(reason, Date.now));
    this.#s.logger.warn(`the shutdown deadline passed with ${running.length} handlers running; their jobs are failed`);
  }

  #call(hook: keyof WorkerHooks, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#s.logger.warn(`the ${hook} hook threw`, { error });
    }
  }
}

/** Refusals that retrying cannot fix: a 4xx to the take request, a stream framing we cannot read, a bad option. */
function isFatal(error: unknown): boolean {
  // A redirect, like a 4xx, means a wrong url or a proxy in the way: retrying cannot mend it.
  if (error instanceof ZizqRedirectError) return true;
  if (error instanceof ZizqHttpError) return error.status >= 400 && error.status < 500;
  return error instanceof ZizqArgumentError || (error instanceof ZizqFrameError && error.reason === "unsupported_format");
}

function noop(): void {}
