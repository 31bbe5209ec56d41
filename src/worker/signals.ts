import type { Duration } from "../types/time.ts";
import { ZizqArgumentError } from "../errors/argument-error.ts";
import { checkObject, shown } from "../utils/arguments.ts";
import { timerMs } from "../utils/duration.ts";
import { type LoggerOption, toLogger } from "../utils/logger.ts";
import type { Worker } from "./worker.ts";

/** How a runtime delivers process signals to listeners; each adapter supplies its own. */
export interface SignalSource {
  on(signal: string, listener: () => void): void;
  off(signal: string, listener: () => void): void;
}

/** Options of each adapter's `runWorker(worker, options)`. */
export interface RunWorkerOptions {
  /** Signals that stop the worker. Default `SIGINT` and `SIGTERM`. */
  signals?: readonly string[];
  /** How long running handlers get after the first signal; default the worker's `shutdownTimeout`. */
  shutdownTimeout?: Duration;
  /** Where the stop is announced. Default `console`. */
  logger?: LoggerOption;
}

/**
 * Runs `worker` until a signal arrives: the first stops it gracefully, a second stops it at once
 * (running handlers aborted, their jobs failed). Resolves with the process exit code: 0 after a
 * graceful stop; 1 after a forced one, or when the worker failed (a 4xx to its take request,
 * which is logged).
 */
export async function runUntilSignalled(worker: Worker, source: SignalSource, options: RunWorkerOptions = {}): Promise<number> {
  // Checked now: a bad value found when the signal arrives would throw inside its listener.
  checkObject("options", options, true);
  if (options.signals !== undefined && (!Array.isArray(options.signals) || options.signals.some((name) => typeof name !== "string"))) {
    throw new ZizqArgumentError("signals", `expected an array of signal names, got ${shown(options.signals)}`);
  }
  if (options.shutdownTimeout !== undefined) timerMs(options.shutdownTimeout, "shutdownTimeout", true);
  const signals = options.signals ?? ["SIGINT", "SIGTERM"];
  const logger = toLogger(options.logger ?? console);
  let received = 0;
  const onSignal = (): void => {
    received++;
    if (received === 1) {
      logger.info("stopping: running jobs finish and are acked first (signal again to stop at once)");
      void worker.stop(options.shutdownTimeout === undefined ? {} : { timeout: options.shutdownTimeout });
    } else {
      logger.warn("stopping now: running jobs are failed and will be retried");
      void worker.stop({ immediate: true });
    }
  };
  for (const signal of signals) source.on(signal, onSignal);
  try {
    await worker.run();
    return received > 1 ? 1 : 0;
  } catch (error) {
    logger.error("the worker failed", { error });
    return 1;
  } finally {
    for (const signal of signals) source.off(signal, onSignal);
  }
}
