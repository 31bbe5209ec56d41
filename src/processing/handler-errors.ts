import { ZizqArgumentError } from "../errors/argument-error.ts";

// These extend Error, not ZizqError: user code throws them, and ZizqError means "this library
// failed" — a `catch (e) { if (e instanceof ZizqError) ... }` around client calls must not see them.

/**
 * Thrown by a handler: the job must not be retried. It is failed with `kill: true` and goes
 * straight to `dead`, whatever its retry limit says. Subclass it and set `name` to label the
 * failure's error type.
 */
export class NonRetryableError extends Error {
  override name = "NonRetryableError";
}

/**
 * Thrown by a handler: retry the job at a time of its choosing, whatever its backoff says.
 * `after` is a delay in ms from when the router sees the throw, or a `Date`.
 */
export class RetryAfterError extends Error {
  override name = "RetryAfterError";
  readonly after: number | Date;

  constructor(after: number | Date, message?: string, options?: { cause?: unknown }) {
    const ms = after instanceof Date ? after.getTime() : after;
    // Checked here so a bad value fails at the throw site, with that stack, not at nack time.
    if (typeof ms !== "number" || !Number.isFinite(ms) || (!(after instanceof Date) && ms < 0)) {
      throw new ZizqArgumentError("after", `expected ms ≥ 0 or a valid Date, got ${String(after)}`);
    }
    super(message ?? (after instanceof Date ? `retry at ${after.toISOString()}` : `retry after ${after} ms`), options);
    this.after = after;
  }
}
