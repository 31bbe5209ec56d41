/** What every error of this library carries about the request it came from. */
export interface ZizqRequestInfo {
  method: string;
  /**
   * The path and query as sent, the base URL's own path included: `/jobs/take?prefetch=1`, or
   * `/zizq/jobs/take?prefetch=1` for a client whose `url` is `http://host/zizq`.
   */
  path: string;
  /** The full URL the request went to. */
  url?: string;
}

/**
 * @deprecated Renamed `ZizqRequestInfo`, so that it no longer shadows the DOM's `RequestInfo`.
 * This alias goes in the next minor version.
 */
export type RequestInfo = ZizqRequestInfo;

/** The root of every error this library throws. */
export class ZizqError extends Error {
  override name = "ZizqError";
  /** The request that failed; absent for errors raised before any request (validation, arguments). */
  readonly request: ZizqRequestInfo | undefined;

  constructor(message: string, request?: ZizqRequestInfo, options?: { cause?: unknown }) {
    super(message, options);
    this.request = request;
  }
}
