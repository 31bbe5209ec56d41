import { ZizqError } from "../errors/zizq-error.ts";
import { checkSignal } from "../utils/arguments.ts";
import { type DrainOptions, type DrainSummary, drainLimits, drainStopPlan, watchDrain } from "./drain.ts";
import { RedeliveryGuard } from "./redelivery.ts";
import { Run, type RunLimits, type RunShared } from "./run.ts";
import { newCounters, type WorkerStats } from "./stats.ts";
import { type StopOptions, stopPlan, stopTimeoutMs } from "./stop.ts";
import type { Connection } from "./take-loop.ts";
import { joinHooks, type WorkerOptions, workerSettings } from "./worker-options.ts";

/**
 * Takes jobs from one Zizq take stream and runs them through a Router: at most `concurrency`
 * handlers at once, acks batched, failures reported, the stream reopened with backoff when it
 * breaks. `run(signal)` runs until stopped; `drain(...)` runs a bounded batch (for cron-driven
 * and serverless use).
 *
 * @example
 * const worker = new Worker({ client, router, concurrency: 16 });
 * await worker.run(AbortSignal.timeout(60_000));
 */
export class Worker {
  /** The settings, counters and redelivery guard every run of this worker shares. */
  readonly #shared: RunShared;
  /** The run under way, if any. */
  #run: Run | undefined;

  constructor(options: WorkerOptions) {
    const settings = workerSettings(options);
    const watching = settings.instrumentation?.worker?.(this);
    if (watching !== undefined) settings.hooks = joinHooks(settings.hooks, watching);
    this.#shared = { settings, counters: newCounters(), guard: new RedeliveryGuard<Connection>() };
  }

  /**
   * Takes and runs jobs until `signal` aborts or `stop()` is called, then stops gracefully: no
   * new jobs start, running handlers finish (up to `shutdownTimeout`), acks land, and only then
   * does the stream close (closing first would hand finished jobs back). Rejects when the server
   * refuses the take request with a 4xx (bad queue name, wrong URL, license): retrying cannot help.
   */
  async run(signal?: AbortSignal): Promise<void> {
    checkSignal("signal", signal);
    if (this.#run !== undefined) throw new ZizqError("the worker is running already; stop it first");
    const run = this.#begin({ prefetch: this.#shared.settings.prefetch, startLimit: Infinity });
    const onAbort = (): void => void this.stop();
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await this.#execute(run);
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Stops a running worker gracefully (see `run`), giving handlers `timeout` (default the
   * `shutdownTimeout` option); with `immediate`, aborts running handlers now and fails their jobs,
   * as the deadline would. Resolves when `run` has returned.
   */
  stop(options: StopOptions = {}): Promise<void> {
    const timeoutMs = stopTimeoutMs(options, this.#shared.settings.shutdownTimeoutMs);
    const run = this.#run;
    if (run === undefined) return Promise.resolve();
    run.beginStop(stopPlan(timeoutMs));
    if (options.immediate) run.abortHandlers();
    return run.finished;
  }

  /**
   * Runs jobs until `maxJobs` have started, `maxDuration` is nearly up, nothing has happened for
   * `maxIdle`, or `signal` aborts; then stops as `stop()` does and reports what was done.
   *
   * @example
   * const summary = await worker.drain({ maxDuration: "25s", maxJobs: 500 });
   */
  async drain(options: DrainOptions = {}): Promise<DrainSummary> {
    const limits = drainLimits(options);
    if (this.#run !== undefined) throw new ZizqError("the worker is running already; stop it first");
    const { settings, counters } = this.#shared;
    const startedAt = performance.now();
    const before = { completed: counters.completed, failed: counters.failed };
    let reason: DrainSummary["reason"] = "signal";
    const run = this.#begin({
      prefetch: Math.min(settings.prefetch, limits.maxJobs),
      startLimit: counters.started + limits.maxJobs,
      onStartLimit: () => end("maxJobs"),
    });
    const end = (why: DrainSummary["reason"]): void => {
      if (run.state !== "running") return;
      reason = why;
      run.beginStop(drainStopPlan(startedAt, limits.maxMs, settings.shutdownTimeoutMs));
    };
    const probe = {
      activity: () => counters.taken + counters.connections + counters.ackRequests,
      quiet: () => run.conn !== undefined && run.running === 0 && run.buffered === 0 && run.batcher.pending === 0,
    };
    const stopWatching = watchDrain(limits, settings.shutdownTimeoutMs, probe, end);
    const onAbort = (): void => end("signal");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const running = this.#execute(run);
    if (options.signal?.aborted) onAbort();
    try {
      await running;
    } finally {
      stopWatching();
      options.signal?.removeEventListener("abort", onAbort);
    }
    const completed = counters.completed - before.completed;
    const failedCount = counters.failed - before.failed;
    return { processed: completed + failedCount, completed, failed: failedCount, durationMs: performance.now() - startedAt, reason };
  }

  /** A snapshot of the worker's counters (since it was made) and state. */
  stats(): WorkerStats {
    const run = this.#run;
    const c = this.#shared.counters;
    return {
      state: run?.state ?? "idle",
      connected: run?.conn !== undefined,
      lastByteAgeMs: run?.conn === undefined ? undefined : performance.now() - run.conn.lastByteAt,
      connections: c.connections,
      taken: c.taken,
      running: run?.running ?? 0,
      buffered: run?.buffered ?? 0,
      completed: c.completed,
      failed: c.failed,
      acksPending: run?.batcher.pending ?? 0,
      ackRequests: c.ackRequests,
      badFrames: c.badFrames,
    };
  }

  #begin(limits: RunLimits): Run {
    const run = new Run(this.#shared, limits);
    this.#run = run;
    return run;
  }

  async #execute(run: Run): Promise<void> {
    try {
      await run.execute();
    } finally {
      this.#run = undefined;
      run.end();
    }
  }
}
