/**
 * `zizq-edge/hono`: the push endpoint (DESIGN.md §5) as a Hono handler,
 * `app.post("/zizq", zizqPush({ router, secrets }))`, and the same endpoint as a plain fetch
 * handler for every other framework and for `zizqWorker({ push })`.
 *
 * Nothing is re-implemented here: both wrap the runtime-neutral `createPushHandler`. The body cap
 * is enforced while reading `c.req.raw`'s stream, so it does not depend on Hono's `bodyLimit`.
 *
 * @module zizq-edge/hono
 */
import type { Context, Handler } from "hono";
import { createPushHandler, type PushHandler, type PushHandlerOptions, type PushWaitUntil } from "../src/push/endpoint.ts";

export { DEFAULT_MAX_BODY_BYTES, DEFAULT_TOLERANCE_SEC } from "../src/push/endpoint.ts";
export type { PushHandler, PushHandlerOptions, PushWaitUntil } from "../src/push/endpoint.ts";
export { failureOf, OUTCOME_STATUS, parseEnvelope } from "../src/push/envelope.ts";
export type { PushOutcomeBody, PushOutcomeKind } from "../src/push/envelope.ts";
export { REJECT_STATUS, ZizqPushRejectedError } from "../src/push/errors.ts";
export type { PushRejectReason } from "../src/push/errors.ts";
export { MemoryReplayStore } from "../src/push/replay-store.ts";
export type { MemoryReplayStoreOptions, ReplayStore } from "../src/push/replay-store.ts";
export { generateSecret, signDelivery, verifyDelivery } from "../src/push/signature.ts";

/** Options of `zizqPush` and `zizqPushHandler`. */
export type ZizqPushOptions = PushHandlerOptions;

/** The endpoint as a Hono handler; on Workers the settle runs under `c.executionCtx.waitUntil`. */
export function zizqPush(options: ZizqPushOptions): Handler {
  const handle = createPushHandler(options);
  return (c: Context) => handle(c.req.raw, executionContext(c));
}

/**
 * The endpoint as `(request, ctx?) => Promise<Response>`. A second or third argument with
 * `waitUntil` (a Workers ExecutionContext) runs the settle under it, so it serves directly as
 * `zizqWorker({ push: zizqPushHandler({ ... }) })`.
 */
export function zizqPushHandler(options: ZizqPushOptions): PushHandler {
  return createPushHandler(options);
}

/** `c.executionCtx` throws outside Workers-like runtimes. */
function executionContext(c: Context): PushWaitUntil | undefined {
  try {
    return c.executionCtx as PushWaitUntil;
  } catch {
    return undefined;
  }
}
