import { type RequestInfo, ZizqError } from "./zizq-error.ts";

/** A response arrived but its body could not be decoded as its Content-Type says. */
export class ZizqDecodeError extends ZizqError {
  override name = "ZizqDecodeError";

  constructor(
    request: RequestInfo,
    readonly contentType: string | null,
    cause: unknown,
  ) {
    super(`${request.method} ${request.path}: could not decode a ${contentType ?? "body without a content type"}`, request, {
      cause,
    });
  }
}
