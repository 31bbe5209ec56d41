import type { Failure } from "../types/failure.ts";
import { ZizqArgumentError } from "../errors/argument-error.ts";
import { checkFunction, checkKnownKeys, checkObject, shown } from "../utils/arguments.ts";
import { timerMs } from "../utils/duration.ts";
import { integerAtLeast } from "../utils/integer.ts";
import type { LoggerOption } from "../utils/logger.ts";

/** What the batcher needs of a client; a `Client` satisfies it. */
export interface AckPort {
  ackMany(ids: readonly string[]): Promise<{ notFound: string[] }>;
  fail(id: string, failure: Failure): Promise<unknown>;
  /** Read before a nack is retried, to learn whether the attempt whose answer was lost landed. */
  getJob(id: string): Promise<{ status: string; attempts: number }>;
}

/** Options of `new AckBatcher(port, options)`; a Worker sets them from its `acks` option. */
export interface AckBatcherOptions {
  /**
   * Ids per bulk ack.
   * @default 1000
   */
  maxBatch?: number;
  /**
   * Pipelines bulk acks: up to two requests may be out at once, and a batch that reaches this
   * many ids (at most `maxBatch`) leaves at once instead of when acks go quiet. For small take
   * windows, where one ack at a time leaves the server idle while handlers work through the
   * window: a Worker over `nodeClient` sets half its prefetch, rounded up, when that is 128 or
   * less. `false`: one request at a time.
   * @default false
   */
  pipelineAt?: number | false;
  /**
   * Nacks in flight at once.
   * @default 8
   */
  nackConcurrency?: number;
  /**
   * Backoff for transient failures (full jitter, doubling); retried until it lands or the batcher is abandoned.
   * @default { initialDelayMs: 100, maxDelayMs: 5000 }
   */
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
  /**
   * Source of jitter in [0, 1).
   * @default Math.random
   */
  random?: () => number;
  /**
   * Waits `ms`, or less when `signal` aborts.
   * @default a `setTimeout`
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called after each bulk ack that landed (in full or as a 422 partial success). */
  onFlush?: (info: { ids: number; notFound: string[]; durationMs: number }) => void;
  /**
   * Where acks and nacks that failed or found no job are reported.
   * @default nowhere
   */
  logger?: LoggerOption;
}

/**
 * Checks AckBatcher options where they are given: in the constructor, and when a Worker or a push
 * endpoint reads its `acks` option, since its batchers are made later, per run or per request.
 * `field` prefixes names in errors (`acks.maxBatch`); `known` is the keys the caller accepts.
 */
export function checkAckOptions(field: string | undefined, options: unknown, known: readonly (keyof AckBatcherOptions)[]): void {
  if (options === undefined) return;
  const at = (key: string) => (field === undefined ? key : `${field}.${key}`);
  checkObject(field ?? "options", options);
  const acks = options as AckBatcherOptions;
  checkKnownKeys(field ?? "options", acks as Record<string, unknown>, known);
  if (acks.maxBatch !== undefined) integerAtLeast(at("maxBatch"), acks.maxBatch, 1);
  const pipelineAt: unknown = acks.pipelineAt;
  if (pipelineAt !== undefined && pipelineAt !== false && (!Number.isSafeInteger(pipelineAt) || (pipelineAt as number) < 1)) {
    throw new ZizqArgumentError(at("pipelineAt"), `expected an integer ≥ 1 or false, got ${shown(pipelineAt)}`);
  }
  if (acks.nackConcurrency !== undefined) integerAtLeast(at("nackConcurrency"), acks.nackConcurrency, 1);
  for (const key of ["random", "sleep", "onFlush"] as const) checkFunction(at(key), acks[key]);
  if (acks.retry === undefined) return;
  checkObject(at("retry"), acks.retry);
  checkKnownKeys(at("retry"), acks.retry as Record<string, unknown>, ["initialDelayMs", "maxDelayMs"]);
  if (acks.retry.initialDelayMs !== undefined) timerMs(acks.retry.initialDelayMs, at("retry.initialDelayMs"), true);
  if (acks.retry.maxDelayMs !== undefined) timerMs(acks.retry.maxDelayMs, at("retry.maxDelayMs"), true);
}

/** Every option of `new AckBatcher`. */
export const ACK_BATCHER_OPTIONS: readonly (keyof AckBatcherOptions)[] = [
  "maxBatch",
  "pipelineAt",
  "nackConcurrency",
  "retry",
  "random",
  "sleep",
  "onFlush",
  "logger",
];

/** Options of `ackBatcher.close()`. */
export interface AckBatcherCloseOptions {
  /**
   * When it aborts, `close` resolves at once: retries stop, and work not yet landed, requests
   * still out included, is rejected with a `ZizqError` (the server will hand those jobs out again,
   * unless a request still out lands after all). A request that never answers cannot hold it up.
   */
  signal?: AbortSignal;
}
