/**
 * `zizq-edge/hono`: the push endpoint as a Hono handler,
 * `app.post("/zizq", zizqPush({ router, secrets }))`.
 *
 * Nothing is re-implemented here: `zizqPush` wraps the runtime-neutral `createPushHandler` of
 * `zizq-edge/push`. The body cap is enforced while reading `c.req.raw`'s stream, so it does not
 * depend on Hono's `bodyLimit`.
 *
 * @module zizq-edge/hono
 */
import type { Context, Handler } from "hono";
import { createPushHandler, type PushHandlerOptions, type PushWaitUntil } from "../src/push/endpoint.ts";

export { DEFAULT_MAX_BODY_BYTES, DEFAULT_TOLERANCE_SEC } from "../src/push/endpoint.ts";
export type { PushHandler, PushHandlerOptions, PushWaitUntil } from "../src/push/endpoint.ts";
export { OUTCOME_STATUS, parseEnvelope } from "../src/push/envelope.ts";
export type { PushOutcomeBody, PushOutcomeKind } from "../src/push/envelope.ts";
export { REJECT_STATUS, ZizqPushRejectedError } from "../src/push/errors.ts";
export type { PushRejectReason } from "../src/push/errors.ts";
export { MemoryReplayStore } from "../src/push/replay-store.ts";
export type { MemoryReplayStoreOptions, ReplayStore } from "../src/push/replay-store.ts";
export { generateSecret, signDelivery, verifyDelivery } from "../src/push/signature.ts";

/** @deprecated Use `PushHandlerOptions`, the same type; `ZizqPushOptions` goes in the next minor version. */
export type ZizqPushOptions = PushHandlerOptions;

/**
 * The push endpoint as a Hono handler; on Workers the settle runs under `c.executionCtx.waitUntil`.
 *
 * @example
 * const app = new Hono();
 * app.post("/zizq", zizqPush({ router, secrets: [process.env.PUSH_SECRET!] }));
 */
export function zizqPush(options: PushHandlerOptions): Handler {
  const handle = createPushHandler(options);
  return (c: Context) => handle(c.req.raw, executionContext(c));
}

/**
 * @deprecated Use `createPushHandler` from `zizq-edge/push`, which takes the `waitUntil` context
 * as its second argument only: `(request, env, ctx) => push(request, ctx)` on Workers. This one
 * still looks for `waitUntil` in its second and third arguments; it goes in the next minor version.
 */
export function zizqPushHandler(options: PushHandlerOptions): (request: Request, ...rest: unknown[]) => Promise<Response> {
  const handle = createPushHandler(options);
  return (request, ...rest) => handle(request, rest.find(hasWaitUntil));
}

function hasWaitUntil(arg: unknown): arg is PushWaitUntil {
  return typeof arg === "object" && arg !== null && typeof (arg as PushWaitUntil).waitUntil === "function";
}

/** `c.executionCtx` throws outside Workers-like runtimes. */
function executionContext(c: Context): PushWaitUntil | undefined {
  try {
    return c.executionCtx as PushWaitUntil;
  } catch {
    return undefined;
  }
}
