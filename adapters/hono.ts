/**
 * `zizq-edge/hono`: the push endpoint as a Hono handler,
 * `app.post("/zizq", zizqPush({ router, secrets }))`, and the dashboard as a Hono sub-app,
 * `app.route("/admin/zizq", zizqDashboard({ client, authorize }))`.
 *
 * Nothing is re-implemented here: `zizqPush` wraps the runtime-neutral `createPushHandler` of
 * `zizq-edge/push`. The body cap is enforced while reading `c.req.raw`'s stream, so it does not
 * depend on Hono's `bodyLimit`.
 *
 * @module zizq-edge/hono
 */
import type { Context, Handler } from "hono";
import * as push from "../src/push/index.ts";
import { createPushHandler, type PushHandlerOptions } from "../src/push/endpoint.ts";

export type { PushHandlerOptions } from "../src/push/endpoint.ts";
export { type DashboardOptions, zizqDashboard } from "../src/dashboard/index.ts";

// The push toolkit is zizq-edge/push's; these copies stay for one minor version so imports from
// here keep working.
/** @deprecated Import it from `zizq-edge/push`; this re-export goes in the next minor version. */
export const DEFAULT_MAX_BODY_BYTES: typeof push.DEFAULT_MAX_BODY_BYTES = push.DEFAULT_MAX_BODY_BYTES;
/** @deprecated Import it from `zizq-edge/push`; this re-export goes in the next minor version. */
export const DEFAULT_TOLERANCE_SEC: typeof push.DEFAULT_TOLERANCE_SEC = push.DEFAULT_TOLERANCE_SEC;
/** @deprecated Import it from `zizq-edge/push`; this re-export goes in the next minor version. */
export type PushHandler = push.PushHandler;
/** @deprecated Import it from `zizq-edge/push`; this re-export goes in the next minor version. */
export type PushWaitUntil = push.PushWaitUntil;
/** @deprecated Import it from `zizq-edge/push`; this re-export goes in the next minor version. */
export const OUTCOME_STATUS: typeof push.OUTCOME_STATUS = push.OUTCOME_STATUS;
/** @deprecated Import it from `zizq-edge/push`; this re-export goes in the next minor version. */
export const parseEnvelope: typeof push.parseEnvelope = push.parseEnvelope;
/** @deprecated Import it from `zizq-edge/push`; this re-export goes in the next minor version. */
export type PushOutcomeBody = push.PushOutcomeBody;
/** @deprecated Import it from `zizq-edge/push`; this re-export goes in the next minor version. */
export type PushOutcomeKind = push.PushOutcomeKind;
/** @deprecated Import it from `zizq-edge/push`; this re-export goes in the next minor version. */
export const REJECT_STATUS: typeof push.REJECT_STATUS = push.REJECT_STATUS;
/** @deprecated Import it from `zizq-edge/push`; this re-export goes in the next minor version. */
export const ZizqPushRejectedError: typeof push.ZizqPushRejectedError = push.ZizqPushRejectedError;
/** @deprecated Import it from `zizq-edge/push`; this re-export goes in the next minor version. */
export type ZizqPushRejectedError = push.ZizqPushRejectedError;
/** @deprecated Import it from `zizq-edge/push`; this re-export goes in the next minor version. */
export type PushRejectReason = push.PushRejectReason;
/** @deprecated Import it from `zizq-edge/push`; this re-export goes in the next minor version. */
export const MemoryReplayStore: typeof push.MemoryReplayStore = push.MemoryReplayStore;
/** @deprecated Import it from `zizq-edge/push`; this re-export goes in the next minor version. */
export type MemoryReplayStore = push.MemoryReplayStore;
/** @deprecated Import it from `zizq-edge/push`; this re-export goes in the next minor version. */
export type MemoryReplayStoreOptions = push.MemoryReplayStoreOptions;
/** @deprecated Import it from `zizq-edge/push`; this re-export goes in the next minor version. */
export type ReplayStore = push.ReplayStore;
/** @deprecated Import it from `zizq-edge/push`; this re-export goes in the next minor version. */
export const generateSecret: typeof push.generateSecret = push.generateSecret;
/** @deprecated Import it from `zizq-edge/push`; this re-export goes in the next minor version. */
export const signDelivery: typeof push.signDelivery = push.signDelivery;
/** @deprecated Import it from `zizq-edge/push`; this re-export goes in the next minor version. */
export const verifyDelivery: typeof push.verifyDelivery = push.verifyDelivery;

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

function hasWaitUntil(arg: unknown): arg is push.PushWaitUntil {
  return typeof arg === "object" && arg !== null && typeof (arg as push.PushWaitUntil).waitUntil === "function";
}

/** `c.executionCtx` throws outside Workers-like runtimes. */
function executionContext(c: Context): push.PushWaitUntil | undefined {
  try {
    return c.executionCtx as push.PushWaitUntil;
  } catch {
    return undefined;
  }
}
