import { type ZizqRequestInfo, ZizqError } from "./zizq-error.ts";

/** The server could not be reached, or the connection broke before a response arrived. */
export class ZizqConnectionError extends ZizqError {
  override name = "ZizqConnectionError";

  constructor(request: ZizqRequestInfo, cause: unknown) {
    super(`${request.method} ${request.path}: could not reach the Zizq server (${describe(cause)})`, request, { cause });
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : "";
    return `${cause.message}${inner}`;
  }
  return String(cause);
}
