import { ZizqHttpError } from "./http-error.ts";
import type { ZizqRequestInfo } from "./zizq-error.ts";

/**
 * The server answered with a redirect (3xx). Zizq never redirects, so one means the client's
 * `url` points at something else (a proxy, a login page, a moved host): the redirect is not
 * followed, no body is sent again, and the request is not retried.
 */
export class ZizqRedirectError extends ZizqHttpError {
  override name = "ZizqRedirectError";

  constructor(
    request: ZizqRequestInfo,
    status: number,
    /** Where the server pointed, resolved against the request URL; null when the runtime hides it (an opaque redirect). */
    readonly location: string | null,
  ) {
    // An opaque redirect (what browsers hand back for `redirect: "manual"`) has status 0 and no headers.
    const redirect = status === 0 ? "a redirect" : `a ${status} redirect`;
    const target = location ?? "a target the runtime does not reveal";
    super(
      request,
      status,
      undefined,
      undefined,
      `${request.method} ${request.url ?? request.path}: the server answered ${redirect} to ${target}; Zizq never redirects, so it was not followed (check the client's url)`,
    );
  }
}
