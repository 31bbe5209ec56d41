/**
 * The push endpoint as a plain fetch handler, `(request, ctx?) => Promise<Response>`: runtime
 * neutral, framework free. `zizq-edge/hono` wraps it for Hono; Workers, Deno, Bun and Node
 * servers can call it directly.
 *
 * Checks run cheapest first and fail closed:
 *   method 405 / content type 415 → byte cap while reading 413 → header shape 400/401 →
 *   timestamp ±tolerance 401 → HMAC over the raw bytes 401 → replay 409 →
 *   JSON 400 / envelope 400 → Router (schema 422) → handler.
 */
import { job as toJob } from "../protocol/mapping/job.ts";
import { ZizqArgumentError } from "../errors/argument-error.ts";
import { AckBatcher } from "../processing/ack-batcher.ts";
import { ACK_BATCHER_OPTIONS, type AckBatcherOptions, type AckPort, checkAckOptions } from "../processing/ack-options.ts";
import { checkBoolean, checkFunction, checkMethods, checkObject } from "../utils/arguments.ts";
import { type LoggerOption, toLogger } from "../utils/logger.ts";
import { type Instrumentation, processed } from "../processing/instrumentation.ts";
import type { Outcome } from "../processing/outcome.ts";
import type { Router } from "../processing/router.ts";
import { OUTCOME_STATUS, outcomeBody, parseEnvelope, type PushOutcomeBody } from "./envelope.ts";
import { ZizqPushRejectedError } from "./errors.ts";
import { readBodyCapped } from "./read-body.ts";
import { MemoryReplayStore, type ReplayStore } from "./replay-store.ts";
import { checkSecrets, checkTimestamp, parseWebhookHeaders, verifySignatures } from "./signature.ts";

/** 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** ±5 minutes, as Standard Webhooks recommends. */
export const DEFAULT_TOLERANCE_SEC = 300;

/** A Workers `ExecutionContext`, or anything with `waitUntil`. */
export interface PushWaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

/** Options of the push endpoint (`createPushHandler` from `zizq-edge/push`, `zizqPush` from `zizq-edge/hono`). */
export interface PushHandlerOptions {
  /** Runs each delivered job: the same Router a pull Worker uses. */
  router: Router;
  /**
   * The endpoint's `whsec_` secrets; a delivery signed by any of them is accepted. List the old
   * and the new one while rotating. Required unless `dangerouslySkipVerification`.
   * @example secrets: [env.PUSH_SECRET, env.PUSH_SECRET_OLD]
   */
  secrets?: string | readonly string[];
  /**
   * A Client (or any AckPort) to settle jobs with: the endpoint acks or nacks through its own
   * AckBatcher and answers `settled: true`. Without one it answers `settled: false` and the
   * relay applies the outcome.
   * @default none: the relay settles
   */
  client?: AckPort;
  /** Options of that AckBatcher. */
  acks?: Omit<AckBatcherOptions, "logger">;
  /**
   * Body cap in bytes, enforced while reading.
   * @default 1_048_576 (1 MiB, `DEFAULT_MAX_BODY_BYTES`)
   */
  maxBodyBytes?: number;
  /**
   * Accepted clock difference, both ways, in seconds (30–900).
   * @default 300 (`DEFAULT_TOLERANCE_SEC`)
   */
  toleranceSec?: number;
  /**
   * Where delivery ids are remembered.
   * @default a `MemoryReplayStore` per handler
   */
  replayStore?: ReplayStore;
  /**
   * Called with every internal failure (a throwing replay store, a settle that did not land).
   * @default one `logger.error` line
   */
  onError?: (error: unknown, request: Request) => void;
  /**
   * Handlers' `ctx.log`, and the endpoint's own warnings.
   * @default console
   */
  logger?: LoggerOption;
  /**
   * Traces and metrics of each delivered job (`zizqOtel()` from `zizq-edge/otel`); its trace
   * carrier is stripped from the payload before the schema and the handler see it.
   * @default none
   */
  instrumentation?: Instrumentation;
  /**
   * Clock, ms.
   * @default Date.now
   */
  now?: () => number;
  /**
   * Accept unsigned deliveries: NO signature, timestamp or replay check. For local development
   * only; a warning is logged on every request.
   * @default false
   */
  dangerouslySkipVerification?: boolean;
}

/**
 * The push endpoint as a fetch handler. With `ctx` (a Workers `ExecutionContext`, or anything
 * with `waitUntil`), the settle runs under `ctx.waitUntil` and the answer does not wait for it.
 */
export type PushHandler = (request: Request, ctx?: PushWaitUntil) => Promise<Response>;

const JSON_HEADERS = { "content-type": "application/json" } as const;

function json(status: number, body: unknown, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

function reject(error: ZizqPushRejectedError): Response {
  const headers: Record<string, string> = error.status === 405 ? { allow: "POST" } : {};
  return json(error.status, { error: error.reason }, headers);
}

function isJsonType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const media = contentType.split(";", 1)[0]!.trim().toLowerCase();
  return media === "application/json";
}

/**
 * Builds the push endpoint: a `(request, ctx?) => Promise<Response>` for any runtime or
 * framework. Options are checked here, once, not on every request.
 *
 * @example
 * import { createPushHandler } from "zizq-edge/push";
 *
 * const push = createPushHandler({ router, secrets: [pushSecret] });
 * export default { fetch: (request: Request) => push(request) }; // Deno, Bun
 * // Cloudflare Workers: export default { fetch: (request, env, ctx) => push(request, ctx) };
 */
export function createPushHandler(options: PushHandlerOptions): PushHandler {
  checkObject("options", options, true);
  const { router, client, onError, instrumentation } = options;
  checkFunction("onError", onError);
  checkFunction("now", options.now);
  checkMethods("instrumentation", options.instrumentation, ["enqueue", "process", "logFields"]);
  checkBoolean("dangerouslySkipVerification", options.dangerouslySkipVerification);
  checkAckOptions("acks", options.acks, ACK_BATCHER_OPTIONS.filter((key) => key !== "logger"));
  if (router === undefined || typeof router.dispatch !== "function") throw new ZizqArgumentError("router", "a Router is required");
  const skip = options.dangerouslySkipVerification === true;
  const secrets = skip && options.secrets === undefined ? [] : checkSecrets(options.secrets ?? []);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) throw new ZizqArgumentError("maxBodyBytes", "expected a whole number of bytes ≥ 1");
  const toleranceSec = options.toleranceSec ?? DEFAULT_TOLERANCE_SEC;
  if (!Number.isFinite(toleranceSec) || toleranceSec < 30 || toleranceSec > 900) {
    throw new ZizqArgumentError("toleranceSec", "expected 30–900 seconds");
  }
  const logger = toLogger(options.logger ?? console);
  const now = options.now ?? Date.now;
  const replayStore = options.replayStore ?? new MemoryReplayStore({ now });
  const batcher = client === undefined ? undefined : new AckBatcher(client, { ...options.acks, logger });
  const report = (error: unknown, request: Request) => {
    if (onError) {
      try {
        onError(error, request);
      } catch {}
    } else logger.error("zizq push endpoint error", { error });
  };
  if (skip) logger.warn("zizq push: dangerouslySkipVerification is set — deliveries are NOT authenticated. Never use this in production.");

  return async (request: Request, ctx?: PushWaitUntil): Promise<Response> => {
    try {
      // 1. Method and media type.
      if (request.method !== "POST") throw new ZizqPushRejectedError("method_not_allowed");
      if (!isJsonType(request.headers.get("content-type"))) throw new ZizqPushRejectedError("unsupported_media_type");
      // 2. Size, while reading.
      const body = await readBodyCapped(request, maxBodyBytes);
      if (skip) {
        logger.warn("zizq push: accepting an UNVERIFIED delivery (dangerouslySkipVerification)");
      } else {
        // 3. Header shape. 4. Freshness. 5. Signature.
        const headers = parseWebhookHeaders(request.headers);
        checkTimestamp(headers.timestampSec, toleranceSec, now());
        if (!(await verifySignatures(secrets, headers, body))) throw new ZizqPushRejectedError("invalid_signature");
        // 6. Replay: remembered until the timestamp goes stale (plus a second of slack).
        const expiresAtMs = (headers.timestampSec + toleranceSec + 1) * 1000;
        if (await replayStore.seen(headers.id, expiresAtMs)) throw new ZizqPushRejectedError("replayed_delivery");
      }
      // 7. Parse. 8. Schema and handler, through the Router.
      const wire = parseEnvelope(body);
      const job = toJob(wire);
      const dispatching = { signal: request.signal, log: logger, instrumentation };
      const outcome = await (instrumentation?.process === undefined
        ? router.dispatch(job, dispatching, now)
        : processed(instrumentation, job, (copy) => router.dispatch(copy, dispatching, now), logger, now));
      const answer = await settle(job.id, job.attempts, outcome, request, ctx);
      const headers: Record<string, string> = {};
      if (answer.retryAt !== undefined) headers["retry-after"] = String(Math.max(0, Math.ceil((answer.retryAt - now()) / 1000)));
      return json(OUTCOME_STATUS[answer.outcome], answer, headers);
    } catch (error) {
      if (error instanceof ZizqPushRejectedError) return reject(error);
      report(error, request);
      return json(500, { error: "internal_error" });
    }
  };

  async function settle(id: string, attempts: number, outcome: Outcome, request: Request, ctx: PushWaitUntil | undefined): Promise<PushOutcomeBody> {
    if (batcher === undefined || outcome.kind === "settled") return outcomeBody(id, outcome, false);
    // Under waitUntil (Workers), each request settles through its own batcher: workerd ties
    // every fetch to the request that started it, so a bulk ack shared across requests would
    // carry ids of requests whose context it does not belong to (and may never land).
    const acks = ctx ? new AckBatcher(client!, { ...options.acks, logger }) : batcher;
    const landing = outcome.kind === "completed" ? acks.ack(id) : acks.nack(id, outcome.failure, { attempts });
    if (ctx) {
      ctx.waitUntil(landing.catch((error: unknown) => report(error, request)));
      return outcomeBody(id, outcome, true);
    }
    try {
      await landing;
      return outcomeBody(id, outcome, true);
    } catch (error) {
      // It did not land: let the relay apply it.
      report(error, request);
      return outcomeBody(id, outcome, false);
    }
  }
}
