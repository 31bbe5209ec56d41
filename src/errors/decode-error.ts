import { type ZizqRequestInfo, ZizqError } from "./zizq-error.ts";

/**
 * A response arrived but cannot be trusted: its body does not decode as its Content-Type says,
 * or it is not what the endpoint answers (another media type, an empty body, a missing or
 * wrongly typed field). The message names the endpoint and what was wrong.
 */
export class ZizqDecodeError extends ZizqError {
  override name = "ZizqDecodeError";

  constructor(
    request: ZizqRequestInfo,
    readonly contentType: string | null,
    cause: unknown,
    /** What was wrong, e.g. `expected a job object with a string "id", got text/html`. */
    problem = `could not decode a ${contentType ?? "body without a content type"}`,
  ) {
    super(`${request.method} ${request.path}: ${problem}`, request, cause === undefined ? undefined : { cause });
  }
}
