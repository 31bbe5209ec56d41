import type { Client } from "../client/client.ts";
import { FORMATS, type Format } from "../client/codec.ts";
import type { Failure } from "../types/failure.ts";
import type { Job } from "../types/job.ts";
import type { Duration } from "../types/time.ts";
import { ZizqArgumentError } from "../errors/argument-error.ts";
import { type AckBatcherOptions, checkAckOptions } from "../processing/ack-options.ts";
import type { DelayPolicy } from "../utils/backoff.ts";
import {
  checkFunction,
  checkHeader,
  checkKnownKeys,
  checkMethods,
  checkObject,
  checkOneOf,
  checkSignal,
} from "../utils/arguments.ts";
import { checkQueues } from "../protocol/names.ts";
import { timerMs, toMs } from "../utils/duration.ts";
import { integerAtLeast } from "../utils/integer.ts";
import { assertPeers, MSGPACK_PEER } from "../utils/optional-peers.ts";
import { type Logger, type LoggerOption, toLogger } from "../utils/logger.ts";
import type { Dispatcher } from "../processing/router.ts";
import { type Instrumentation, jobFields } from "../processing/instrumentation.ts";
import type { WorkerStats } from "./stats.ts";

/** Observers of a worker's life; a hook that throws is logged and does not touch the job. */
export interface WorkerHooks {
  /** A job's handler is about to run. */
  onJobStart?(job: Job<unknown>): void;
  /** A job's handler returned; its ack is queued. */
  onJobSuccess?(job: Job<unknown>, info: { durationMs: number }): void;
  /** `failure` is what is reported to the server; `error` is what was thrown (absent for an unknown type). */
  onJobFailure?(job: Job<unknown>, info: { error: unknown; failure: Failure; durationMs: number }): void;
  /** A bulk ack landed: `ids` acked, of which `notFound` were no longer in flight. */
  onAckFlush?(info: { ids: number; notFound: string[]; durationMs: number }): void;
  /** A take stream opened. */
  onConnect?(info: { connection: number; contentType: string | null }): void;
  /** A take stream ended; `error` says why (absent when the worker closed it on stop). */
  onDisconnect?(info: { connection: number; error?: unknown }): void;
}

/**
 * An instrumentation (`zizq-edge/otel`) as a Worker uses it: `process` wraps each job, and
 * `worker`, called once when the Worker is made, may read its stats (for gauges) and answer hooks
 * that run after the `hooks` option's. It should hold the Worker weakly: one made per invocation
 * (a Cloudflare `scheduled()` that drains) must be free to go.
 */
export interface WorkerInstrumentation extends Instrumentation {
  worker?(worker: { stats(): WorkerStats }): WorkerHooks | undefined;
}

/** Reconnects of the take stream: full-jitter exponential backoff. */
export interface ReconnectPolicy {
  /** @default 100 */
  initialDelayMs?: number;
  /** @default 30_000 */
  maxDelayMs?: number;
  /**
   * A stream that stayed up this long resets the backoff.
   * @default 10_000
   */
  healthyAfterMs?: number;
}

/**
 * Options of `new Worker(...)`; every one but `client` and `router` has a default.
 *
 * @example
 * new Worker({ client, router, concurrency: 16, queues: ["emails"], jobTimeout: "2m" });
 */
export interface WorkerOptions {
  client: Client;
  /** Runs each job: a `Router` of typed handlers. */
  router: Dispatcher;
  /**
   * Handlers running at once.
   * @default 10
   */
  concurrency?: number;
  /**
   * Jobs the server may hand this worker before it acks them. Slots freed by finished jobs come
   * back an ack's round trip later; the second half of the default window keeps handlers busy
   * meanwhile (over `nodeClient`, a window of 128 or less pipelines its acks: `acks.pipelineAt`).
   * A larger window holds jobs back from other workers while they wait here (docs/workers.md has
   * the measured trade-off).
   * @default 2 × concurrency
   */
  prefetch?: number;
  /**
   * Queues to take from.
   * @default every queue
   * @example queues: ["emails", "reports"]
   */
  queues?: readonly string[];
  /**
   * Framing of the take stream.
   * @default the client's `format`
   */
  format?: Format;
  /** Shows up in the server's logs. */
  workerId?: string;
  /**
   * A job running longer is failed (retryably, as `JobTimeoutError`) and its handler's signal fires.
   * @default none
   * @example jobTimeout: "2m"
   */
  jobTimeout?: Duration;
  /**
   * How long a graceful stop waits for running handlers before aborting them.
   * @default "30s"
   */
  shutdownTimeout?: Duration;
  /**
   * A take stream silent this long is presumed dead and reopened: once open, no job and no
   * heartbeat; while opening, no response headers (Zizq sends them at once, so this cuts off only
   * a hung connection or a proxy that never answers). The default is three of Zizq's 3 s heartbeats.
   * @default "9s"
   */
  idleTimeout?: Duration;
  /** @default { initialDelayMs: 100, maxDelayMs: 30_000, healthyAfterMs: 10_000 } */
  reconnect?: ReconnectPolicy;
  /**
   * The largest job frame accepted, in bytes; a larger job is killed.
   * @default 8_388_608 (8 MiB)
   */
  maxFrameBytes?: number;
  /**
   * Tuning of the acks and nacks (batch size, pipelining, nack pool, retries).
   * @default { maxBatch: 1000, pipelineAt: over `nodeClient` half the prefetch when it is 128 or less, else false, nackConcurrency: 8, retry: { initialDelayMs: 100, maxDelayMs: 5000 } }
   */
  acks?: Pick<AckBatcherOptions, "maxBatch" | "pipelineAt" | "nackConcurrency" | "retry">;
  /**
   * Observers of the worker's life.
   * @example hooks: { onJobFailure: (job, { error }) => report(error, job.id) }
   */
  hooks?: WorkerHooks;
  /**
   * Traces and metrics: spans around each job, its trace context taken from the payload.
   * @default none (nothing is measured, nothing is stripped from payloads)
   * @example instrumentation: zizqOtel() // from "zizq-edge/otel"
   */
  instrumentation?: WorkerInstrumentation;
  /**
   * A pino or a winston logger, or any `LoggerOption`. Handlers get it as `ctx.log`.
   * @default console
   */
  logger?: LoggerOption;
  /**
   * Source of jitter in [0, 1).
   * @default Math.random
   */
  random?: () => number;
}

/** The options, checked and with defaults in place. */
export interface WorkerSettings {
  client: Client;
  router: Dispatcher;
  concurrency: number;
  prefetch: number;
  queues: readonly string[] | undefined;
  format: Format | undefined;
  workerId: string | undefined;
  jobTimeoutMs: number | undefined;
  shutdownTimeoutMs: number;
  idleTimeoutMs: number;
  reconnect: DelayPolicy & { healthyAfterMs: number };
  maxFrameBytes: number | undefined;
  acks: WorkerOptions["acks"];
  hooks: WorkerHooks;
  instrumentation: WorkerInstrumentation | undefined;
  logger: Logger;
}

export function workerSettings(options: WorkerOptions): WorkerSettings {
  checkObject("options", options, true);
  if (typeof options.client?.openTake !== "function") throw new ZizqArgumentError("client", "expected a Client");
  if (typeof options.router?.dispatch !== "function") throw new ZizqArgumentError("router", "expected a Router");
  const concurrency = integerAtLeast("concurrency", options.concurrency ?? 10, 1);
  checkQueues("queues", options.queues);
  checkOneOf("format", options.format, FORMATS);
  // Where the runtime can tell without loading it (Node, Bun, Deno), a missing MessagePack peer
  // fails here rather than at the first take. The Client reports it at its first MessagePack
  // request instead: the check would cost every producer's bundle about 300 B.
  if (options.format === "msgpack") assertPeers(MSGPACK_PEER);
  if (options.workerId !== undefined) checkHeader("workerId", "worker-id", options.workerId);
  if (options.maxFrameBytes !== undefined) integerAtLeast("maxFrameBytes", options.maxFrameBytes, 1);
  checkAckOptions("acks", options.acks, WORKER_ACK_OPTIONS);
  checkHooks(options.hooks);
  checkMethods("instrumentation", options.instrumentation, ["enqueue", "process", "logFields", "worker"]);
  checkFunction("random", options.random);
  const reconnect = options.reconnect ?? {};
  checkObject("reconnect", reconnect);
  checkKnownKeys("reconnect", reconnect as Record<string, unknown>, ["initialDelayMs", "maxDelayMs", "healthyAfterMs"]);
  return {
    client: options.client,
    router: options.router,
    concurrency,
    // 0 would mean "no limit" to the server; a worker always wants a window.
    prefetch: integerAtLeast("prefetch", options.prefetch ?? 2 * concurrency, 1),
    queues: options.queues,
    format: options.format,
    workerId: options.workerId,
    jobTimeoutMs: options.jobTimeout === undefined ? undefined : timerMs(options.jobTimeout, "jobTimeout"),
    shutdownTimeoutMs: timerMs(options.shutdownTimeout ?? 30_000, "shutdownTimeout", true),
    idleTimeoutMs: timerMs(options.idleTimeout ?? 9_000, "idleTimeout"),
    reconnect: {
      initialDelayMs: timerMs(reconnect.initialDelayMs ?? 100, "reconnect.initialDelayMs", true),
      maxDelayMs: timerMs(reconnect.maxDelayMs ?? 30_000, "reconnect.maxDelayMs", true),
      // Compared with a stream's age, never waited for by a timer: no timer's 24.8-day cap.
      healthyAfterMs: toMs(reconnect.healthyAfterMs ?? 10_000, "reconnect.healthyAfterMs"),
      random: options.random ?? Math.random,
    },
    maxFrameBytes: options.maxFrameBytes,
    acks: options.acks,
    hooks: options.hooks ?? {},
    instrumentation: options.instrumentation,
    logger: toLogger(options.logger ?? console),
  };
}

/** The AckBatcher options a Worker's `acks` takes; it sets the rest itself. */
const WORKER_ACK_OPTIONS = ["maxBatch", "pipelineAt", "nackConcurrency", "retry"] as const satisfies readonly (keyof NonNullable<WorkerOptions["acks"]>)[];

/** Take windows up to this many jobs pipeline their acks (two requests out, each leaving at half the window); past it, one bulk ack at a time keeps requests per job low. */
const PIPELINED_WINDOW = 128;

/**
 * A Worker's `pipelineAt` for a take window of `prefetch` jobs, unless its `acks` option sets one:
 * only over a client whose requests are cheap (`nodeClient`). Over Node's global fetch a second
 * request cost more than the overlap saved (`npm run bench -- worker`).
 */
export function pipelineAt(settings: WorkerSettings, prefetch: number): number | false {
  const chosen = settings.acks?.pipelineAt;
  if (chosen !== undefined) return chosen;
  return settings.client.cheapRequests === true ? windowPipelineAt(prefetch) : false;
}

/** Where the acks of a take window of `prefetch` jobs pipeline: at half of it, rounded up, for a window of 128 or less. */
export function windowPipelineAt(prefetch: number): number | false {
  return prefetch <= PIPELINED_WINDOW ? Math.ceil(prefetch / 2) : false;
}

const HOOKS: readonly (keyof WorkerHooks)[] = ["onJobStart", "onJobSuccess", "onJobFailure", "onAckFlush", "onConnect", "onDisconnect"];

function checkHooks(hooks: WorkerHooks | undefined): void {
  if (hooks === undefined) return;
  checkObject("hooks", hooks);
  checkKnownKeys("hooks", hooks as Record<string, unknown>, HOOKS);
  for (const name of HOOKS) checkFunction(`hooks.${name}`, hooks[name]);
}

/** `first`'s hooks, each followed by `then`'s of the same name (which runs even if the first throws). */
export function joinHooks(first: WorkerHooks, then: WorkerHooks): WorkerHooks {
  const joined: Record<string, (...args: never[]) => void> = { ...first };
  for (const name of HOOKS) {
    const a = first[name] as ((...args: unknown[]) => void) | undefined;
    const b = then[name] as ((...args: unknown[]) => void) | undefined;
    if (b === undefined) continue;
    joined[name] =
      a === undefined
        ? b
        : (...args: unknown[]) => {
            try {
              a(...args);
            } finally {
              b(...args);
            }
          };
  }
  return joined as WorkerHooks;
}

/** Runs a hook; one that throws is logged (with the fields of `job`, for a job's hooks) and does not touch the job. */
export function callHook(logger: Logger, hook: keyof WorkerHooks, fn: () => void, job?: Job<unknown>, instrumentation?: Instrumentation): void {
  try {
    fn();
  } catch (error) {
    logger.warn(`the ${hook} hook threw`, job === undefined ? { error } : { ...jobFields(job, instrumentation), error });
  }
}
