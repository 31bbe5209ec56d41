/**
 * The body of `POST /jobs/{id}/failure`.
 */
import { ZizqArgumentError } from "../../errors/argument-error.ts";
import type { Failure } from "../../types/failure.ts";
import { checkBoolean, checkObject, checkString, shown } from "../../utils/arguments.ts";
import { toEpochMs } from "../../utils/duration.ts";

export function wireFailure(failure: Failure): Record<string, unknown> {
  checkObject("failure", failure, true);
  if (typeof failure.message !== "string") throw new ZizqArgumentError("failure.message", `expected a string, got ${shown(failure.message)}`);
  checkString("failure.errorType", failure.errorType);
  checkString("failure.backtrace", failure.backtrace);
  checkBoolean("failure.kill", failure.kill);
  const body: Record<string, unknown> = { message: failure.message };
  if (failure.errorType !== undefined) body.error_type = failure.errorType;
  if (failure.backtrace !== undefined) body.backtrace = failure.backtrace;
  if (failure.retryAt !== undefined) body.retry_at = toEpochMs(failure.retryAt, "failure.retryAt");
  if (failure.kill) body.kill = true;
  return body;
}
