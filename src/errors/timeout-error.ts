import { type ZizqRequestInfo, ZizqError } from "./zizq-error.ts";

/** No response arrived within the request timeout. */
export class ZizqTimeoutError extends ZizqError {
  override name = "ZizqTimeoutError";

  constructor(
    request: ZizqRequestInfo,
    readonly timeoutMs: number,
  ) {
    super(`${request.method} ${request.path}: no response within ${timeoutMs} ms`, request);
  }
}
