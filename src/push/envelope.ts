/**
 * The push delivery envelope and the endpoint's answer.
 *
 * Request body: one job frame exactly as `/jobs/take` sent it (snake_case JSON, with `payload`),
 * signed over its raw bytes. Response body: `{ id, outcome, settled, error?, errorType?, retryAt? }`.
 */
import type { Failure } from "../types/failure.ts";
import type { JobStatus, WireJob } from "../protocol/wire.ts";
import type { Outcome } from "../processing/outcome.ts";
import { ZizqPushRejectedError } from "./errors.ts";

/** How a pushed job ended, as the endpoint reports it. */
export type PushOutcomeKind =
  /** 200: the handler returned. The relay acks (unless `settled`). */
  | "completed"
  /** 500: the handler threw. The relay nacks; the server's backoff applies. */
  | "failed"
  /** 422: `NonRetryableError`, a payload that fails its schema, or an unknown type. The relay nacks with `kill`. */
  | "killed"
  /** 503 + `Retry-After`: `RetryAfterError`. The relay nacks with `retry_at` = `retryAt`. */
  | "retry";

/** The JSON body of every answer to an authentic, well-formed delivery. */
export interface PushOutcomeBody {
  /** The job's id (from the signed body). */
  id: string;
  outcome: PushOutcomeKind;
  /** True when the endpoint acked or nacked the job itself (it was given a Client); the relay then does nothing. */
  settled: boolean;
  /** The failure's message (not for `completed`). */
  error?: string;
  /** The failure's error type, e.g. `NonRetryableError`, `ZizqValidationError`, `UnknownJobType`. */
  errorType?: string;
  /** For `retry`: when to run again, unix ms. */
  retryAt?: number;
}

/** The HTTP status the push endpoint answers for each outcome. */
export const OUTCOME_STATUS: Readonly<Record<PushOutcomeKind, number>> = Object.freeze({
  completed: 200,
  failed: 500,
  killed: 422,
  retry: 503,
});

const STATUSES: ReadonlySet<string> = new Set<JobStatus>(["scheduled", "ready", "in_flight", "completed", "dead"]);
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Parses verified body bytes into a job frame: 400 `invalid_json` for bytes that are not UTF-8
 * JSON, 400 `invalid_envelope` for JSON that is not a job frame. The payload is not checked
 * here: that is the Router's schema (422).
 */
export function parseEnvelope(body: Uint8Array): WireJob {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(body));
  } catch {
    throw new ZizqPushRejectedError("invalid_json");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ZizqPushRejectedError("invalid_envelope", "not a JSON object");
  const frame = value as Record<string, unknown>;
  for (const key of ["id", "type", "queue"] as const) {
    if (typeof frame[key] !== "string" || frame[key] === "") throw new ZizqPushRejectedError("invalid_envelope", `${key} is not a non-empty string`);
  }
  for (const key of ["priority", "attempts", "ready_at"] as const) {
    if (typeof frame[key] !== "number" || !Number.isFinite(frame[key])) throw new ZizqPushRejectedError("invalid_envelope", `${key} is not a number`);
  }
  if (frame.status !== undefined && (typeof frame.status !== "string" || !STATUSES.has(frame.status))) {
    throw new ZizqPushRejectedError("invalid_envelope", "status is not a job status");
  }
  if (!("payload" in frame)) throw new ZizqPushRejectedError("invalid_envelope", "payload is missing");
  // A take frame is in flight; older frames may omit status.
  if (frame.status === undefined) frame.status = "in_flight";
  return frame as unknown as WireJob;
}

/** The body (and status) an Outcome maps to. `failed` outcomes carry the nack the relay should send. */
export function outcomeBody(id: string, outcome: Outcome, settled: boolean): PushOutcomeBody {
  if (outcome.kind === "completed") return { id, outcome: "completed", settled };
  if (outcome.kind === "settled") return { id, outcome: outcome.completed ? "completed" : "failed", settled: true };
  const failure: Failure = outcome.failure;
  const body: PushOutcomeBody = {
    id,
    outcome: failure.kill ? "killed" : failure.retryAt !== undefined ? "retry" : "failed",
    settled,
    error: failure.message,
  };
  if (failure.errorType !== undefined) body.errorType = failure.errorType;
  if (failure.retryAt !== undefined && !failure.kill) body.retryAt = typeof failure.retryAt === "number" ? failure.retryAt : failure.retryAt.getTime();
  return body;
}
