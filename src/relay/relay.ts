/**
 * The push relay: a Worker that takes jobs from Zizq and, instead of running them, POSTs each one,
 * signed with Standard Webhooks, to an HTTP endpoint (`createPushHandler` from `zizq-edge/push`,
 * or `zizqPush` from `zizq-edge/hono`, on an edge runtime without Zizq credentials), then acks or
 * nacks it by the endpoint's answer. Same take loop, shutdown and drain as any Worker:
 * `createRelay` returns one.
 */
import type { Failure } from "../types/failure.ts";
import type { Job } from "../types/job.ts";
import { wireJob } from "../protocol/mapping/wire-job.ts";
import { ZizqArgumentError } from "../errors/argument-error.ts";
import { OUTCOME_STATUS, type PushOutcomeBody } from "../push/envelope.ts";
import { REJECT_STATUS } from "../push/errors.ts";
import { checkSecrets, signDelivery } from "../push/signature.ts";
import { aborted } from "../utils/aborted.ts";
import { checkFunction, checkHeaders, checkObject, renamed } from "../utils/arguments.ts";
import { timerMs } from "../utils/duration.ts";
import { readCapped } from "../utils/read-capped.ts";
import { type Logger, type LoggerOption, toLogger } from "../utils/logger.ts";
import { bounded, COMPLETED, type Outcome } from "../processing/outcome.ts";
import type { Dispatcher, HandlerContext } from "../processing/router.ts";
import { Worker } from "../worker/worker.ts";
import type { WorkerInstrumentation, WorkerOptions } from "../worker/worker-options.ts";
import type { Duration } from "../types/time.ts";

/** The largest outcome body read from an endpoint; a longer one is cut (its JSON then fails to parse). */
const MAX_OUTCOME_BYTES = 64 * 1024;
const decoder = new TextDecoder();

/** Where and how a relay delivers jobs: the push endpoint, its secret, timeouts. */
export interface RelayDeliveryOptions {
  /** The push endpoint's URL. */
  endpoint: string | URL;
  /**
   * The endpoint's signing secret (`whsec_` + base64), or several during a key rotation: each
   * delivery then carries one `v1,` signature per secret.
   */
  secret: string | readonly string[];
  /**
   * How long one delivery may take, answer included; a slower one is nacked (retryably).
   * @default "30s"
   * @example timeout: "10s"
   */
  timeout?: Duration;
  /** @deprecated Use `timeout`, which also takes ms; `timeoutMs` goes in the next minor version. */
  timeoutMs?: number;
  /**
   * The `fetch` deliveries go through.
   * @default globalThis.fetch
   */
  fetch?: typeof globalThis.fetch;
  /**
   * Extra request headers (an auth header of a gateway in front of the endpoint, say).
   * @example headers: { authorization: `Bearer ${token}` }
   */
  headers?: Readonly<Record<string, string>>;
  /**
   * After the endpoint refuses a signature (401), every delivery waits this long before the next
   * try, doubling on each further 401 up to `maxUnauthorizedPause`; the refused job is retried no
   * sooner.
   * @default "5s"
   */
  unauthorizedPause?: Duration;
  /**
   * The longest pause after repeated 401s.
   * @default "5m"
   */
  maxUnauthorizedPause?: Duration;
  /**
   * Where refusals and failed deliveries are logged; a pino or winston logger works as it is.
   * @default console
   */
  logger?: LoggerOption;
  /**
   * Clock for `retryAt` and pauses.
   * @default Date.now
   */
  now?: () => number;
}

/** Options of `createRelay`: a Worker's options (but `router`) and the delivery's. */
export interface RelayOptions extends Omit<WorkerOptions, "router">, RelayDeliveryOptions {
  /**
   * Deliveries in flight at once.
   * @default 10
   */
  concurrency?: number;
}

/** The endpoint's answer body as received: the fields of `PushOutcomeBody`, none of them trusted yet. */
type OutcomeBody = { [Field in keyof PushOutcomeBody]?: unknown };

/** The endpoint refuses a body over its cap before running it: it will never run, so the job is killed. */
const TOO_LARGE = REJECT_STATUS.payload_too_large;

/** A relay's delivery counters, next to its Worker's `stats()`. */
export interface DeliveryStats {
  /** Requests sent. */
  delivered: number;
  /** Deliveries that got no usable answer (network error, timeout, non-JSON error status). */
  deliveryFailures: number;
  /** 401 answers: the endpoint refused the signature or the timestamp. */
  unauthorized: number;
  /** Outcomes the endpoint reported to Zizq itself (`settled: true`). */
  settledByEndpoint: number;
}

/**
 * Delivers each job to a push endpoint and turns its answer into an Outcome for the Worker:
 * completed (ack), failed (nack; kill or `retryAt` as the endpoint says), or settled (the endpoint
 * acked or nacked through its own Client; nothing to do).
 */
export class PushDelivery implements Dispatcher {
  readonly #url: string;
  readonly #secrets: string | readonly string[];
  readonly #timeoutMs: number;
  readonly #fetch: typeof globalThis.fetch;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #pauseMs: number;
  readonly #maxPauseMs: number;
  readonly #log: Logger;
  readonly #now: () => number;
  /** Deliveries wait until this time after a 401 (`#now()` ms). */
  #pausedUntil = 0;
  /** Resolves when the current pause ends; every waiting delivery shares it. */
  #gate: Promise<void> = Promise.resolve();
  #nextPauseMs: number;
  readonly stats: DeliveryStats = { delivered: 0, deliveryFailures: 0, unauthorized: 0, settledByEndpoint: 0 };

  constructor(options: RelayDeliveryOptions) {
    checkObject("options", options, true);
    if (options.endpoint === undefined) throw new ZizqArgumentError("endpoint", "expected the push endpoint's URL");
    const url = URL.canParse(String(options.endpoint)) ? new URL(String(options.endpoint)) : undefined;
    if (url === undefined) throw new ZizqArgumentError("endpoint", `expected an http(s) URL, got ${JSON.stringify(String(options.endpoint))}`);
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new ZizqArgumentError("endpoint", `expected an http(s) URL, got ${url.protocol}`);
    }
    // Checked here, so a bad secret fails at startup rather than on every delivery.
    checkSecrets(options.secret);
    this.#url = url.href;
    this.#secrets = options.secret;
    const timeout = renamed<Duration>(options, "timeout", "timeoutMs") ?? { value: 30_000, field: "timeout" };
    this.#timeoutMs = timerMs(timeout.value, timeout.field);
    checkFunction("fetch", options.fetch);
    checkHeaders("headers", options.headers);
    checkFunction("now", options.now);
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#headers = options.headers ?? {};
    this.#pauseMs = Math.max(1, timerMs(options.unauthorizedPause ?? 5_000, "unauthorizedPause", true));
    this.#maxPauseMs = Math.max(this.#pauseMs, timerMs(options.maxUnauthorizedPause ?? 300_000, "maxUnauthorizedPause", true));
    this.#nextPauseMs = this.#pauseMs;
    this.#log = toLogger(options.logger ?? console);
    this.#now = options.now ?? Date.now;
  }

  get endpoint(): string {
    return this.#url;
  }

  async dispatch(job: Job<unknown>, ctx: Pick<HandlerContext, "signal" | "log">): Promise<Outcome> {
    const wait = this.#pausedUntil - this.#now();
    if (wait > 0) {
      try {
        await Promise.race([this.#gate, aborted(ctx.signal)]);
      } catch (error) {
        return delivery(`delivery of job ${job.id} did not start: ${message(error)}`, "PushDeliveryError", error);
      }
    }
    const body = JSON.stringify(wireJob(job, { payload: true }));
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(this.#timeoutMs)]);
    let response: Response;
    let text: string;
    this.stats.delivered++;
    try {
      const headers = await signDelivery(this.#secrets, body);
      response = await this.#fetch(this.#url, {
        method: "POST",
        headers: { ...this.#headers, "content-type": "application/json", ...headers },
        body,
        signal,
        redirect: "manual",
      });
      text = decoder.decode((await readCapped(response.body, MAX_OUTCOME_BYTES, signal)).bytes);
    } catch (error) {
      this.stats.deliveryFailures++;
      if (signal.aborted && !ctx.signal.aborted) {
        return delivery(`push delivery of job ${job.id} timed out after ${this.#timeoutMs} ms`, "PushTimeoutError", error);
      }
      return delivery(`push delivery of job ${job.id} failed: ${message(error)}`, "PushDeliveryError", error);
    }
    return this.#outcome(job, response, text);
  }

  #outcome(job: Job<unknown>, response: Response, text: string): Outcome {
    const status = response.status;
    const parsed = parseBody(text);
    if (status === 401) return this.#unauthorized(job, parsed);
    this.#nextPauseMs = this.#pauseMs;
    if (parsed?.settled === true) {
      this.stats.settledByEndpoint++;
      return { kind: "settled", completed: parsed.outcome === "completed" };
    }
    if (status >= 200 && status < 300) return COMPLETED;
    if (parsed === undefined || !isOutcomeStatus(status)) {
      this.stats.deliveryFailures++;
      const detail = typeof parsed?.error === "string" ? `: ${parsed.error}` : "";
      const what = parsed === undefined ? "answered" : "refused it with";
      return delivery(`push endpoint ${what} ${status} for job ${job.id}${detail}`, "PushDeliveryError");
    }
    const failure = endpointFailure(parsed, status);
    if (status === OUTCOME_STATUS.killed || status === TOO_LARGE) failure.kill = true;
    else if (status === OUTCOME_STATUS.retry) {
      const retryAt = retryAtOf(parsed.retryAt, response.headers.get("retry-after"), this.#now());
      if (retryAt !== undefined) failure.retryAt = retryAt;
    }
    return { kind: "failed", failure };
  }

  /** A signature or timestamp refusal: the secret differs or a clock is off. Loud, and paced so it cannot hot-loop. */
  #unauthorized(job: Job<unknown>, parsed: OutcomeBody | undefined): Outcome {
    this.stats.unauthorized++;
    this.stats.deliveryFailures++;
    const now = this.#now();
    const pauseMs = this.#nextPauseMs;
    // Jobs already on the wire when the first 401 came back do not stretch the pause again.
    if (this.#pausedUntil <= now) {
      this.#pausedUntil = now + pauseMs;
      this.#gate = new Promise((resolve) => {
        const timer = setTimeout(resolve, pauseMs);
        // A stopped relay must not be kept alive by a pause (Node, Bun and Deno timers have unref).
        (timer as { unref?: () => void }).unref?.();
      });
      this.#nextPauseMs = Math.min(this.#maxPauseMs, pauseMs * 2);
      const reason = typeof parsed?.error === "string" ? ` (${parsed.error})` : "";
      this.#log.error(
        `push endpoint ${this.#url} refused the delivery signature with 401${reason}: the relay's secret ` +
          `does not match the endpoint's (check both for the same whsec_ value, or mid-rotation, that the ` +
          `endpoint lists the new one), or the relay's and endpoint's clocks differ by more than the tolerance ` +
          `(default 300 s). Deliveries pause for ${pauseMs} ms.`,
      );
    }
    return {
      kind: "failed",
      failure: {
        message: bounded(`push endpoint refused the signature (401) for job ${job.id}: secret mismatch or clock skew`),
        errorType: "PushUnauthorizedError",
        retryAt: this.#pausedUntil,
      },
    };
  }
}

/**
 * A Worker that delivers each job to `endpoint` instead of running it (see `PushDelivery`): the
 * same `run(signal)`, `stop()`, `drain()` and `stats()`, plus `delivery.stats` (requests, failed
 * deliveries, 401s, outcomes the endpoint settled itself).
 *
 * @example
 * const relay = createRelay({ client, endpoint: "https://edge.example/zizq", secret: pushSecret });
 * await relay.run(signal);
 */
export class Relay extends Worker {
  readonly delivery: PushDelivery;

  constructor(options: RelayOptions) {
    checkObject("options", options, true);
    const { endpoint, secret, timeout, timeoutMs, fetch, headers, unauthorizedPause, maxUnauthorizedPause, now, ...worker } =
      options;
    const delivery = new PushDelivery({
      endpoint,
      secret,
      timeout,
      timeoutMs,
      fetch,
      headers,
      unauthorizedPause,
      maxUnauthorizedPause,
      logger: worker.logger,
      now,
    });
    super({ ...worker, router: delivery, instrumentation: passingCarriers(worker.instrumentation) });
    this.delivery = delivery;
  }
}

/**
 * A relay's instrumentation delivers each job as it was taken, trace carrier included: the
 * endpoint's span then joins the producer's trace beside the relay's own.
 */
function passingCarriers(instrumentation: WorkerInstrumentation | undefined): WorkerInstrumentation | undefined {
  const spanning = instrumentation?.process;
  if (instrumentation === undefined || spanning === undefined) return instrumentation;
  return {
    process: (job, run) => spanning.call(instrumentation, job, () => run(job)),
    logFields: (job) => instrumentation.logFields?.(job),
    worker: (worker) => instrumentation.worker?.(worker),
  };
}

/**
 * `new Relay(options)`: a Worker whose jobs are POSTed, signed, to a push endpoint.
 *
 * @example
 * const relay = createRelay({ client, endpoint: "https://edge.example/zizq", secret: pushSecret, concurrency: 32 });
 * await runWorker(relay); // zizq-edge/node: stops on SIGINT or SIGTERM
 */
export function createRelay(options: RelayOptions): Relay {
  return new Relay(options);
}

/** Statuses whose JSON body says the job did not complete: a failed outcome, or a body too large to run. */
function isOutcomeStatus(status: number): boolean {
  return status === OUTCOME_STATUS.failed || status === OUTCOME_STATUS.killed || status === OUTCOME_STATUS.retry || status === TOO_LARGE;
}

/** The failure an endpoint reported, read leniently: `error` may be a string or an `Error`-like object. */
function endpointFailure(body: OutcomeBody, status: number): Failure {
  const error = body.error;
  let text: string;
  let errorType: string | undefined;
  let backtrace: string | undefined;
  if (typeof error === "string") text = error;
  else if (typeof error === "object" && error !== null) {
    const e = error as { message?: unknown; type?: unknown; errorType?: unknown; name?: unknown; backtrace?: unknown };
    text = typeof e.message === "string" ? e.message : JSON.stringify(error);
    const type = e.errorType ?? e.type ?? e.name;
    if (typeof type === "string") errorType = type;
    if (typeof e.backtrace === "string") backtrace = e.backtrace;
  } else text = `push endpoint answered ${status}`;
  if (errorType === undefined && typeof body.errorType === "string") errorType = body.errorType;
  const failure: Failure = { message: bounded(text), errorType: errorType ?? `PushEndpoint${status}` };
  if (backtrace !== undefined) failure.backtrace = bounded(backtrace);
  return failure;
}

/** `retryAt` from the body (ms since the epoch, or a date string), else the `Retry-After` header (seconds or an HTTP date). */
function retryAtOf(fromBody: unknown, header: string | null, now: number): number | undefined {
  if (typeof fromBody === "number" && Number.isFinite(fromBody)) return fromBody;
  if (typeof fromBody === "string") {
    const at = Date.parse(fromBody);
    if (Number.isFinite(at)) return at;
  }
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return now + Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? at : undefined;
}

function parseBody(text: string): OutcomeBody | undefined {
  if (text === "") return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as OutcomeBody) : undefined;
  } catch {
    return undefined;
  }
}

function delivery(text: string, errorType: string, error?: unknown): Outcome {
  return { kind: "failed", failure: { message: bounded(text), errorType }, error };
}

function message(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
