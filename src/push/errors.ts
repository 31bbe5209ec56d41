import { ZizqError } from "../errors/zizq-error.ts";

/**
 * Why a push delivery was refused, before any handler ran. Each reason has one HTTP status;
 * the endpoint answers with it and a generic `{ error: reason }` body (never the expected
 * signature or other detail an attacker could use).
 */
export type PushRejectReason =
  | "method_not_allowed" // 405
  | "unsupported_media_type" // 415
  | "payload_too_large" // 413
  | "missing_header" // 400 (webhook-id / webhook-timestamp absent)
  | "malformed_header" // 400 (webhook-id / webhook-timestamp not well formed)
  | "missing_signature" // 401
  | "malformed_signature" // 401
  | "stale_timestamp" // 401 (outside ±tolerance, either way)
  | "invalid_signature" // 401
  | "replayed_delivery" // 409
  | "invalid_json" // 400
  | "invalid_envelope"; // 400 (JSON, but not a job frame)

/** The HTTP status the push endpoint answers for each reason it refuses a delivery. */
export const REJECT_STATUS: Readonly<Record<PushRejectReason, number>> = Object.freeze({
  method_not_allowed: 405,
  unsupported_media_type: 415,
  payload_too_large: 413,
  missing_header: 400,
  malformed_header: 400,
  missing_signature: 401,
  malformed_signature: 401,
  stale_timestamp: 401,
  invalid_signature: 401,
  replayed_delivery: 409,
  invalid_json: 400,
  invalid_envelope: 400,
});

/** A push delivery was refused; `status` is what the endpoint answers, `reason` the body's `error`. */
export class ZizqPushRejectedError extends ZizqError {
  override name = "ZizqPushRejectedError";
  readonly status: number;

  constructor(
    readonly reason: PushRejectReason,
    message?: string,
  ) {
    super(message ?? `push delivery rejected: ${reason}`);
    this.status = REJECT_STATUS[reason];
  }
}
