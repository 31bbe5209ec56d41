/** What every error of this library carries about the request it came from. */
export interface RequestInfo {
  method: string;
  /**
   * The path and query as sent, the base URL's own path included: `/jobs/take?prefetch=1`, or
   * `/zizq/jobs/take?prefetch=1` for a client whose `url` is `http://host/zizq`.
   */
  path: string;
  /** The full URL the request went to. */
  url?: string;
}

/** The root of every error this library throws. */
export class ZizqError extends Error {
  override name = "ZizqError";
  /** The request that failed; absent for errors raised before any request (validation, arguments). */
  readonly request: RequestInfo | undefined;

  constructor(message: string, request?: RequestInfo, options?: { cause?: unknown }) {
    super(message, options);
    this.request = request;
  }
}
