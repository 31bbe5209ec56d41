/**
 * `zizq-edge/push`: the push endpoint as a plain `(request, ctx?) => Promise<Response>`, for any
 * runtime and any framework, and what it is made of (Standard Webhooks signing, the delivery
 * envelope, replay stores). `zizq-edge/hono` wraps the same endpoint as a Hono handler.
 *
 * @example
 * import { createPushHandler } from "zizq-edge/push";
 *
 * const push = createPushHandler({ router, secrets: [pushSecret] });
 * export default { fetch: (request: Request) => push(request) };
 *
 * @module zizq-edge/push
 */
export {
  createPushHandler,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_TOLERANCE_SEC,
  type PushHandler,
  type PushHandlerOptions,
  type PushWaitUntil,
} from "./endpoint.ts";
export { OUTCOME_STATUS, parseEnvelope, type PushOutcomeBody, type PushOutcomeKind } from "./envelope.ts";
export { type PushRejectReason, REJECT_STATUS, ZizqPushRejectedError } from "./errors.ts";
export { MemoryReplayStore, type MemoryReplayStoreOptions, type ReplayStore } from "./replay-store.ts";
export { generateSecret, signDelivery, verifyDelivery } from "./signature.ts";
