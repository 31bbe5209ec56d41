/** Turning failed calls into `ZizqError`s: loaded with the first failure, as the happy path needs none of it. */
import { ZizqConnectionError } from "../errors/connection-error.ts";
import { ZizqDecodeError } from "../errors/decode-error.ts";
import {
  ZizqBadRequestError,
  ZizqConflictError,
  ZizqHttpError,
  ZizqNotFoundError,
  ZizqServerError,
  ZizqUnprocessableError,
} from "../errors/http-error.ts";
import { ZizqProLicenseError } from "../errors/pro-license-error.ts";
import { ZizqRedirectError } from "../errors/redirect-error.ts";
import { ZizqTimeoutError } from "../errors/timeout-error.ts";
import type { ZizqRequestInfo } from "../errors/zizq-error.ts";
import type { Answer } from "./exchange.ts";

export { ZizqConnectionError, ZizqDecodeError, ZizqTimeoutError };

/** The error class for a status, carrying the server's `error` text. */
export function httpError(request: ZizqRequestInfo, response: Answer, body: unknown): ZizqHttpError {
  const status = response.status;
  // Browsers answer `redirect: "manual"` with an opaque, status-0 response; others with the 3xx.
  if (response.type === "opaqueredirect" || (status >= 300 && status < 400)) {
    return new ZizqRedirectError(request, status, location(request, response));
  }
  const message =
    typeof body === "object" && body !== null && "error" in body && typeof body.error === "string"
      ? body.error
      : typeof body === "string" && body !== ""
        ? body
        : undefined;
  if (status === 403) return new ZizqProLicenseError(request, status, message, body);
  const Class =
    status === 400
      ? ZizqBadRequestError
      : status === 404
        ? ZizqNotFoundError
        : status === 409
          ? ZizqConflictError
          : status === 422
            ? ZizqUnprocessableError
            : status >= 500
              ? ZizqServerError
              : ZizqHttpError;
  return new Class(request, status, message, body);
}

/** The redirect's target, resolved against the request's URL. */
function location(request: ZizqRequestInfo, response: Answer): string | null {
  const target = response.headers.get("location");
  if (target === null) return null;
  try {
    return new URL(target, request.url).href;
  } catch {
    return target;
  }
}
