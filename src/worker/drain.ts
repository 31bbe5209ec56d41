import type { Duration } from "../types/time.ts";
import { checkObject, checkSignal, renamed } from "../utils/arguments.ts";
import { timerMs } from "../utils/duration.ts";
import { integerAtLeast } from "../utils/integer.ts";
import { ACK_GRACE_MS, type StopPlan } from "./stop.ts";

/** Limits of `worker.drain()`: it ends at the first one reached. */
export interface DrainOptions {
  /**
   * `drain` resolves within about this long: it stops taking early enough for handlers and acks
   * to finish.
   * @default no limit
   * @example await worker.drain({ maxDuration: "25s" });
   */
  maxDuration?: Duration;
  /**
   * Jobs to run at most.
   * @default no limit
   */
  maxJobs?: number;
  /**
   * Stop after this long with nothing to do (no job arriving, none running, no ack out).
   * @default "1s"
   */
  maxIdle?: Duration;
  /** Stops the drain early, gracefully. */
  signal?: AbortSignal;
  /** @deprecated Use `maxDuration`, which takes the same values; `maxMs` goes in the next minor version. */
  maxMs?: Duration;
  /** @deprecated Use `maxIdle`, which takes the same values; `idleMs` goes in the next minor version. */
  idleMs?: Duration;
}

/** What `worker.drain()` resolves with. */
export interface DrainSummary {
  /** Jobs run to an outcome: `completed + failed`. */
  processed: number;
  completed: number;
  failed: number;
  durationMs: number;
  /** What ended the drain (`"maxDuration"`: its `maxDuration` was nearly up). */
  reason: "maxJobs" | "maxDuration" | "idle" | "signal";
}

/** A drain's limits in ms and jobs, checked before the worker starts; `Infinity` where none is set. */
export interface DrainLimits {
  maxMs: number;
  maxJobs: number;
  idleMs: number;
}

export function drainLimits(options: DrainOptions): DrainLimits {
  checkObject("options", options, true);
  checkSignal("signal", options.signal);
  const maxDuration = renamed<Duration>(options, "maxDuration", "maxMs");
  const maxIdle = renamed<Duration>(options, "maxIdle", "idleMs");
  return {
    maxMs: maxDuration === undefined ? Infinity : timerMs(maxDuration.value, maxDuration.field),
    maxJobs: options.maxJobs === undefined ? Infinity : integerAtLeast("maxJobs", options.maxJobs, 1),
    idleMs: maxIdle === undefined ? 1_000 : timerMs(maxIdle.value, maxIdle.field),
  };
}

/** What the drain's watch reads of the run. */
export interface DrainProbe {
  /** A stream is open, nothing runs or waits, and no ack is out. */
  quiet(): boolean;
  /** A number that changes whenever a job arrives, a stream opens or an ack lands. */
  activity(): number;
}

/**
 * Starts the timers that end a drain: `maxMs` nearly up, or `idleMs` quiet. Returns the function
 * that clears them. `end` gets the reason and the stop plan.
 */
export function watchDrain(limits: DrainLimits, shutdownTimeoutMs: number, probe: DrainProbe, end: (why: "maxDuration" | "idle") => void): () => void {
  const timers: ReturnType<typeof setTimeout>[] = [];
  const { maxMs, idleMs } = limits;
  // Room at the end of `maxMs` for running handlers and the last acks.
  const reserve = Math.min(shutdownTimeoutMs + ACK_GRACE_MS, maxMs / 4);
  if (maxMs !== Infinity) timers.push(setTimeout(() => end("maxDuration"), maxMs - reserve));
  // Idle means an open stream delivered nothing for a while, with no job or ack outstanding: a
  // take still opening, or acks still out (which the server waits for to send more), are not idle.
  let seen = -1;
  const checkIdle = (): void => {
    const activity = probe.activity();
    const quiet = probe.quiet();
    if (quiet && activity === seen) return end("idle");
    seen = quiet ? activity : -1;
    timers.push(setTimeout(checkIdle, idleMs / 2));
  };
  timers.push(setTimeout(checkIdle, idleMs / 2));
  return () => {
    for (const timer of timers) clearTimeout(timer);
  };
}

/** How a drain stops: handlers get the shutdown timeout, cut short so that the stop ends within `maxMs` of `startedAt`. */
export function drainStopPlan(startedAt: number, maxMs: number, shutdownTimeoutMs: number): StopPlan {
  const now = performance.now();
  const handlersBy = Math.min(now + shutdownTimeoutMs, startedAt + maxMs - Math.min(ACK_GRACE_MS, maxMs / 8));
  return { handlersBy, acksBy: Math.min(handlersBy + ACK_GRACE_MS, startedAt + maxMs) };
}
