import type { Job } from "../types/job.ts";
import type { ZizqFrameError } from "../errors/frame-error.ts";
import { AckBatcher } from "../processing/ack-batcher.ts";
import { jobFields, processed } from "../processing/instrumentation.ts";
import { failed, type Outcome } from "../processing/outcome.ts";
import { Fifo } from "../utils/fifo.ts";
import { JobTimeoutError, StreamLostError, WorkerStoppedError } from "./abort-reasons.ts";
import type { RedeliveryGuard } from "./redelivery.ts";
import type { Counters } from "./stats.ts";
import { type StopPlan, stopPlan } from "./stop.ts";
import { type Connection, type TakeHost, takeLoop } from "./take-loop.ts";
import { callHook, pipelineAt, type WorkerSettings } from "./worker-options.ts";

/** What a run shares with its worker's other runs. */
export interface RunShared {
  readonly settings: WorkerSettings;
  readonly counters: Counters;
  readonly guard: RedeliveryGuard<Connection>;
}

/** How many jobs a run takes: a drain's `maxJobs` lowers both. */
export interface RunLimits {
  prefetch: number;
  /** Stop taking at this many started (counted in `counters.started`). */
  startLimit: number;
  onStartLimit?: () => void;
}

/** A job whose handler has started and not yet been settled. */
interface RunningJob {
  readonly job: Job<unknown>;
  readonly conn: Connection;
  /** When the handler started, for the hooks' `durationMs`; 0 when no hook needs it. */
  readonly startedAt: number;
  /** Only with a job timeout: the job's own signal. */
  readonly own: AbortController | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  settled: boolean;
}

/**
 * One `run()` or `drain()` of a Worker, from start to the stream closing: its take loop, its
 * AckBatcher, the jobs it schedules and settles, and its stop.
 */
export class Run implements TakeHost {
  readonly settings: WorkerSettings;
  readonly prefetch: number;
  state: "running" | "stopping" = "running";
  readonly batcher: AckBatcher;
  conn: Connection | undefined;
  opening: Connection | undefined;
  /** Resolves with the plan once a stop begins. */
  readonly stopRequested: Promise<StopPlan>;
  /** Resolves when the run is over, `run()` or `drain()` included. */
  readonly finished: Promise<void>;
  readonly #counters: Counters;
  readonly #guard: RedeliveryGuard<Connection>;
  /** Whether a hook reports job durations: without one, no clock is read per job. */
  readonly #timesJobs: boolean;
  readonly #startLimit: number;
  readonly #onStartLimit: (() => void) | undefined;
  readonly #running = new Set<RunningJob>();
  /** Fires when a stop begins: cuts reconnect waits short. */
  readonly #stopping = new AbortController();
  /** Fires at the handlers' deadline, or on an immediate stop. */
  readonly #deadline = new AbortController();
  #requestStop!: (plan: StopPlan) => void;
  #resolveFinished!: () => void;
  #handlersIdle: (() => void) | undefined;

  constructor(shared: RunShared, limits: RunLimits) {
    const settings = shared.settings;
    this.settings = settings;
    this.#counters = shared.counters;
    this.#guard = shared.guard;
    this.#timesJobs = settings.hooks.onJobSuccess !== undefined || settings.hooks.onJobFailure !== undefined;
    this.prefetch = limits.prefetch;
    this.#startLimit = limits.startLimit;
    this.#onStartLimit = limits.onStartLimit;
    this.stopRequested = new Promise((resolve) => (this.#requestStop = resolve));
    this.finished = new Promise((resolve) => (this.#resolveFinished = resolve));
    this.batcher = new AckBatcher(settings.client, {
      ...settings.acks,
      pipelineAt: pipelineAt(settings, limits.prefetch),
      logger: settings.logger,
      random: settings.reconnect.random,
      onFlush: (info) => {
        this.#counters.ackRequests++;
        for (const id of info.notFound) this.#guard.completed(id);
        if (settings.hooks.onAckFlush !== undefined) callHook(settings.logger, "onAckFlush", () => settings.hooks.onAckFlush?.(info));
      },
    });
  }

  get stopping(): AbortSignal {
    return this.#stopping.signal;
  }

  /** Handlers running now. */
  get running(): number {
    return this.#running.size;
  }

  /** Jobs waiting for a free handler slot. */
  get buffered(): number {
    return this.conn?.buffer.size ?? 0;
  }

  /**
   * Takes and runs jobs until a stop begins, then stops: handlers finish while the stream stays
   * open, acks land, then the stream closes. Rejects when the take loop met a refusal retrying cannot mend.
   */
  async execute(): Promise<void> {
    let fatal: unknown;
    const taking = takeLoop(this).catch((error: unknown) => {
      fatal = error;
      this.beginStop(stopPlan(this.settings.shutdownTimeoutMs));
    });
    await this.#shutDown(await this.stopRequested);
    await taking;
    if (fatal !== undefined) throw fatal;
  }

  /** Stops taking and starts the stop `plan` (a no-op once a stop has begun). */
  beginStop(plan: StopPlan): void {
    if (this.state !== "running") return;
    this.state = "stopping";
    this.#stopping.abort();
    this.opening?.stream.abort(new WorkerStoppedError("the worker stopped"));
    this.#requestStop(plan);
  }

  /** Skips to the handlers' deadline. */
  abortHandlers(): void {
    this.#deadline.abort();
  }

  /** Marks the run over: `finished` resolves. */
  end(): void {
    this.#resolveFinished();
  }

  // --- the take stream (TakeHost) ---

  taking(): boolean {
    return this.state === "running";
  }

  connection(): Connection {
    const conn: Connection = {
      id: this.#counters.connections + 1,
      stream: new AbortController(),
      handlers: new AbortController(),
      sink: {
        enqueue: (job) => this.#accept(job as Job<unknown>, conn),
        skip: (error) => this.#skip(error),
      },
      buffer: new Fifo(),
      lastByteAt: 0,
      watchdog: undefined,
      lost: false,
    };
    return conn;
  }

  opened(conn: Connection, contentType: string | null): void {
    this.conn = conn;
    this.#counters.connections++;
    const hooks = this.settings.hooks;
    if (hooks.onConnect !== undefined) {
      const info = { connection: conn.id, contentType };
      callHook(this.settings.logger, "onConnect", () => hooks.onConnect?.(info));
    }
  }

  /** The stream is gone: its waiting jobs are the server's again, and its running handlers are told. */
  ended(conn: Connection, error: unknown): void {
    const closedByUs = error instanceof WorkerStoppedError;
    if (this.conn === conn) this.conn = undefined;
    conn.buffer.clear();
    if (!closedByUs) {
      conn.lost = true;
      for (const id of this.batcher.unlandedAcks()) this.#guard.completed(id);
      const reason = new StreamLostError("the take stream broke; the server has handed this job back", { cause: error });
      conn.handlers.abort(reason);
      for (const running of this.#running) {
        if (running.conn !== conn) continue;
        running.own?.abort(reason);
        this.#guard.lostRun(running.job.id);
      }
      this.settings.logger.warn(`take stream ${conn.id} lost; reconnecting`, { error });
    }
    const hooks = this.settings.hooks;
    if (hooks.onDisconnect !== undefined) {
      const info = closedByUs ? { connection: conn.id } : { connection: conn.id, error };
      callHook(this.settings.logger, "onDisconnect", () => hooks.onDisconnect?.(info));
    }
  }

  /** A frame the decoder could not read: the job is killed when its id is known, since its bytes will not change. */
  #skip(error: ZizqFrameError): void {
    this.#counters.badFrames++;
    const id = error.jobId;
    if (id === undefined) {
      this.settings.logger.error("skipped a take-stream frame that could not be decoded; its job stays in flight until the stream reopens", { error });
      return;
    }
    this.settings.logger.error(`killing job ${id}: its take-stream frame could not be decoded`, { error, jobId: id });
    void this.batcher.nack(id, { message: error.message, errorType: error.name, kill: true });
  }

  // --- scheduling ---

  #accept(job: Job<unknown>, conn: Connection): void {
    this.#counters.taken++;
    if (this.#guarded(job, conn)) return;
    if (this.#running.size < this.settings.concurrency && this.state === "running") this.#start(job, conn);
    else conn.buffer.push(job);
  }

  /** The redelivery guard: a copy of a job completed here is acked, a copy of one still running here waits. Returns whether it took the job. */
  #guarded(job: Job<unknown>, conn: Connection): boolean {
    const verdict = this.#guard.check(job, conn);
    if (verdict === "ack") {
      // Its stream broke before the ack landed and the server handed it out again. If the first
      // ack landed meanwhile this one is answered "not found"; if that one came too early (the job
      // was ready then), this one lands. Hence `ackAgain`: an ack still out does not stand for it.
      this.settings.logger.debug(`job ${job.id} came back after it completed here; acking it again instead of running it`, this.#fields(job));
      void this.batcher.ackAgain(job.id);
    }
    return verdict !== undefined;
  }

  #start(job: Job<unknown>, conn: Connection): void {
    const settings = this.settings;
    const timeoutMs = settings.jobTimeoutMs;
    const own = timeoutMs === undefined ? undefined : new AbortController();
    const running: RunningJob = { job, conn, startedAt: this.#timesJobs ? performance.now() : 0, own, timer: undefined, settled: false };
    if (own !== undefined) running.timer = setTimeout(this.#timeOut, timeoutMs, running);
    this.#running.add(running);
    if (settings.hooks.onJobStart !== undefined) callHook(settings.logger, "onJobStart", () => settings.hooks.onJobStart?.(job), job, settings.instrumentation);
    const { instrumentation, router } = settings;
    const ctx = { signal: (own ?? conn.handlers).signal, log: settings.logger, instrumentation };
    const outcome =
      instrumentation?.process === undefined
        ? router.dispatch(job, ctx)
        : processed(instrumentation, job, (copy) => router.dispatch(copy, ctx), settings.logger, Date.now);
    outcome.then((outcome) => this.#finish(running, outcome));
    if (++this.#counters.started === this.#startLimit) this.#onStartLimit?.();
  }

  /** Starts buffered jobs while handler slots are free. */
  #startBuffered(): void {
    const conn = this.conn;
    if (conn !== undefined) {
      const buffer = conn.buffer;
      while (buffer.size > 0 && this.#running.size < this.settings.concurrency && this.state === "running") {
        const job = buffer.shift() as Job<unknown>;
        if (!this.#guarded(job, conn)) this.#start(job, conn);
      }
    }
    if (this.#running.size === 0) this.#handlersIdle?.();
  }

  // --- settlement ---

  #finish(running: RunningJob, outcome: Outcome): void {
    // Already settled by its timeout or the shutdown deadline: the late result changes nothing.
    if (running.settled) {
      this.settings.logger.debug(`job ${running.job.id} finished after it was given up`, { ...this.#fields(running.job), outcome: outcome.kind });
      return;
    }
    this.#settle(running, outcome);
    this.#startBuffered();
  }

  #settle(running: RunningJob, outcome: Outcome): void {
    running.settled = true;
    if (running.timer !== undefined) clearTimeout(running.timer);
    this.#running.delete(running);
    this.#report(running, outcome);
    if (running.conn.lost) this.#releaseCopy(running.job.id);
  }

  /** A broken stream's handler ended: the copy held for it is acked (see `#guarded`) or queued to run. */
  #releaseCopy(id: string): void {
    const copy = this.#guard.release(id);
    // Its own stream broke too: the server has the copy back.
    if (copy === undefined || copy.conn !== this.conn) return;
    if (!this.#guarded(copy.job, copy.conn)) copy.conn.buffer.push(copy.job);
  }

  /** Tells the server, the counters and the hooks how a job ended. */
  #report(running: RunningJob, outcome: Outcome): void {
    const { job, conn } = running;
    const { hooks, logger } = this.settings;
    if (outcome.kind === "completed") {
      this.#counters.completed++;
      // Even from a lost stream: the work is done, and the ack wins if the job was not taken again yet.
      void this.batcher.ack(job.id);
      if (conn.lost) this.#guard.completed(job.id);
      if (hooks.onJobSuccess !== undefined) {
        const info = { durationMs: performance.now() - running.startedAt };
        callHook(logger, "onJobSuccess", () => hooks.onJobSuccess?.(job, info), job, this.settings.instrumentation);
      }
      return;
    }
    if (outcome.kind === "settled") {
      if (outcome.completed) this.#counters.completed++;
      else this.#counters.failed++;
      return;
    }
    this.#counters.failed++;
    // A lost stream's jobs are back in ready; failing one now would count an attempt it never had.
    if (conn.lost) logger.debug(`job ${job.id} failed after its stream was lost; not reported`, this.#fields(job));
    else void this.batcher.nack(job.id, outcome.failure, job);
    if (hooks.onJobFailure !== undefined) {
      const info = { error: outcome.error, failure: outcome.failure, durationMs: performance.now() - running.startedAt };
      callHook(logger, "onJobFailure", () => hooks.onJobFailure?.(job, info), job, this.settings.instrumentation);
    }
  }

  /** A job's log fields: id, type, queue, attempt, and its trace ids with an instrumentation. */
  #fields(job: Job<unknown>): object {
    return jobFields(job, this.settings.instrumentation);
  }

  readonly #timeOut = (running: RunningJob): void => {
    if (running.settled) return;
    const error = new JobTimeoutError(`job ${running.job.id} ran longer than jobTimeout (${this.settings.jobTimeoutMs} ms)`);
    running.own?.abort(error);
    this.settings.logger.warn(error.message, this.#fields(running.job));
    this.#settle(running, failed(error, Date.now));
    this.#startBuffered();
  };

  // --- stopping ---

  /** Handlers finish while the stream stays open, acks land, and only then does the stream close (closing first would hand finished jobs back). */
  async #shutDown(plan: StopPlan): Promise<void> {
    const deadline = this.#deadline;
    const untilHandlers = setTimeout(() => deadline.abort(), Math.max(0, plan.handlersBy - performance.now()));
    if (this.#running.size > 0 && !deadline.signal.aborted) {
      await new Promise<void>((resolve) => {
        this.#handlersIdle = resolve;
        deadline.signal.addEventListener("abort", () => resolve(), { once: true });
      });
      this.#handlersIdle = undefined;
    }
    clearTimeout(untilHandlers);
    if (this.#running.size > 0) this.#abandonRunning();

    const acks = new AbortController();
    // At least 1 ms even when the deadline has passed, so acks already due get one try.
    const untilAcks = setTimeout(() => acks.abort(), Math.max(1, plan.acksBy - performance.now()));
    try {
      await this.batcher.close({ signal: acks.signal });
    } finally {
      clearTimeout(untilAcks);
    }
    this.conn?.stream.abort(new WorkerStoppedError("the worker stopped"));
  }

  /** The deadline passed with handlers still running: tell them, and fail their jobs. */
  #abandonRunning(): void {
    const reason = new WorkerStoppedError("the worker stopped before this job's handler finished");
    const abandoned = [...this.#running];
    for (const running of abandoned) (running.own ?? running.conn.handlers).abort(reason);
    for (const running of abandoned) this.#settle(running, failed(reason, Date.now));
    this.settings.logger.warn(`the shutdown deadline passed with ${abandoned.length} handlers running; their jobs are failed`);
  }
}
