import type { Failure } from "../types/failure.ts";
import { ZizqValidationError } from "../errors/validation-error.ts";
import { NonRetryableError, RetryAfterError } from "./handler-errors.ts";

/** How one dispatched job ended: what the Worker acks or nacks. */
export type Outcome =
  | { readonly kind: "completed" }
  /** `error` is what was thrown (absent for an unknown type), for hooks and logs; `failure` is what to nack with. */
  | { readonly kind: "failed"; readonly failure: Failure; readonly error?: unknown }
  /** Already reported to Zizq by someone else (a push endpoint with its own Client): nothing to ack or nack. */
  | { readonly kind: "settled"; readonly completed: boolean };

/** Shared: a completed job costs no allocation. */
export const COMPLETED: Outcome = Object.freeze({ kind: "completed" });

/** Cap on the message and backtrace sent with a nack, in UTF-8 bytes: one bad throw must not bloat the store. */
export const MAX_FAILURE_TEXT_BYTES = 8 * 1024;

const TRUNCATED = "\n… (truncated)";
const encoder = new TextEncoder();
const scratch = new Uint8Array(MAX_FAILURE_TEXT_BYTES);
const headRoom = scratch.subarray(0, MAX_FAILURE_TEXT_BYTES - encoder.encode(TRUNCATED).length);

/** Cuts `text` to at most MAX_FAILURE_TEXT_BYTES of UTF-8, at a code point boundary, keeping its head. */
export function bounded(text: string): string {
  // A UTF-16 unit is at most 3 UTF-8 bytes: short texts skip the encoding.
  if (text.length * 3 <= MAX_FAILURE_TEXT_BYTES) return text;
  // encodeInto costs at most the cap however long the text, and stops before a code point
  // that does not fit, so `read` never splits a surrogate pair.
  if (encoder.encodeInto(text, scratch).read === text.length) return text;
  return text.slice(0, encoder.encodeInto(text, headRoom).read) + TRUNCATED;
}

/** An unknown job type with no fallback: it will never find a handler, so it is killed. */
export function unknownType(type: string): Outcome {
  return {
    kind: "failed",
    failure: { message: bounded(`no handler for job type "${type}"`), errorType: "UnknownJobType", kill: true },
  };
}

/** Maps what a handler (or the payload's schema) threw to the nack that reports it. */
export function failed(error: unknown, now: () => number): Outcome {
  let failure: Failure;
  try {
    failure = failureOfThrown(error, now);
  } catch {
    // A thrown value whose getters throw: the job still fails, retryably, rather than the worker.
    failure = { message: "a thrown value that could not be read", errorType: "Unknown" };
  }
  return { kind: "failed", failure, error };
}

function failureOfThrown(error: unknown, now: () => number): Failure {
  if (!(error instanceof Error)) return { message: bounded(describe(error)), errorType: typeOfValue(error) };
  // String(): a subclass may set a non-string message, and client.fail refuses one.
  const failure: Failure = { message: bounded(String(error.message)), errorType: typeOfError(error) };
  if (typeof error.stack === "string") failure.backtrace = bounded(error.stack);
  if (error instanceof NonRetryableError) failure.kill = true;
  else if (error instanceof RetryAfterError) {
    failure.retryAt = error.after instanceof Date ? error.after.getTime() : now() + error.after;
  }
  return failure;
}

/**
 * What the payload's schema check threw. A schema failure kills the job: the same payload will
 * fail the same way on every retry. Anything else (an async refinement that hit the network)
 * fails it like a handler's throw. Only the router's own check lands here: a
 * `ZizqValidationError` from inside a handler (a bad `enqueue`) is the handler's failure.
 */
export function invalidPayload(error: unknown, now: () => number): Outcome {
  if (!(error instanceof ZizqValidationError)) return failed(error, now);
  const failure: Failure = { message: bounded(listIssues(error)), errorType: "ZizqValidationError", kill: true };
  if (typeof error.stack === "string") failure.backtrace = bounded(error.stack);
  return { kind: "failed", failure, error };
}

/** Every issue's path, where the error's own message names only the first. */
function listIssues(error: ZizqValidationError): string {
  if (error.issues.length < 2) return error.message;
  const issues = error.issues.map((issue) => `${issue.path === "" ? "payload" : `payload.${issue.path}`}: ${issue.message}`);
  return `invalid ${error.jobType} payload: ${issues.join("; ")}`;
}

/** An explicit `name` survives minification; an unnamed subclass still has its class name. */
function typeOfError(error: Error): string {
  if (typeof error.name === "string" && error.name !== "" && error.name !== "Error") return error.name;
  return error.constructor?.name || "Error";
}

function typeOfValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  return (value as { constructor?: { name?: string } }).constructor?.name || typeof value;
}

function describe(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null) {
    const message = (value as { message?: unknown }).message;
    if (typeof message === "string") return message;
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}
