import type { Duration } from "../types/time.ts";
import { checkBoolean, checkObject } from "../utils/arguments.ts";
import { timerMs } from "../utils/duration.ts";

/** After the handlers' deadline, acks and nacks still out get this long to land before the stream closes. */
export const ACK_GRACE_MS = 2_000;

/** Options of `worker.stop()`. */
export interface StopOptions {
  /**
   * Skip to the deadline: abort running handlers now and fail their jobs.
   * @default false
   */
  immediate?: boolean;
  /**
   * How long running handlers get before they are aborted and their jobs failed.
   * @default the worker's `shutdownTimeout`
   * @example await worker.stop({ timeout: "10s" });
   */
  timeout?: Duration;
}

/** When a stop ends, as `performance.now()` times. */
export interface StopPlan {
  /** Running handlers are aborted and their jobs failed at this time. */
  handlersBy: number;
  /** Acks and nacks not landed by then are given up (the server requeues those jobs when the stream closes). */
  acksBy: number;
}

/** The plan of a stop that gives running handlers `timeoutMs` from now. */
export function stopPlan(timeoutMs: number): StopPlan {
  const now = performance.now();
  return { handlersBy: now + timeoutMs, acksBy: now + timeoutMs + ACK_GRACE_MS };
}

/** How long a stop gives running handlers: its own `timeout`, or the worker's `shutdownTimeout`. */
export function stopTimeoutMs(options: StopOptions, shutdownTimeoutMs: number): number {
  checkObject("options", options, true);
  checkBoolean("immediate", options.immediate);
  return options.timeout === undefined ? shutdownTimeoutMs : timerMs(options.timeout, "timeout", true);
}
