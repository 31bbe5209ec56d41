import { type ZizqRequestInfo, ZizqError } from "./zizq-error.ts";

/** The server answered with an error status. Subclasses name the common ones. */
export class ZizqHttpError extends ZizqError {
  override name = "ZizqHttpError";
  /** The request the server answered: always known for an answer. */
  declare readonly request: ZizqRequestInfo;

  constructor(
    request: ZizqRequestInfo,
    /** The HTTP status. */
    readonly status: number,
    /** The server's own `error` text, when the body had one. */
    readonly serverMessage: string | undefined,
    /** The decoded response body (JSON or MessagePack), or its text. */
    readonly body: unknown,
    message = `${request.method} ${request.path}: ${status}${serverMessage === undefined ? "" : ` ${serverMessage}`}`,
  ) {
    super(message, request);
  }
}

/** 400: the request was malformed (a body or query the server could not accept). */
export class ZizqBadRequestError extends ZizqHttpError {
  override name = "ZizqBadRequestError";
}

/** 404: the job, error record, cron group or entry does not exist (or a job is not in flight). */
export class ZizqNotFoundError extends ZizqHttpError {
  override name = "ZizqNotFoundError";
}

/** 409: the resource exists already (a cron entry added twice). */
export class ZizqConflictError extends ZizqHttpError {
  override name = "ZizqConflictError";
}

/** 422: well-formed but refused (a bad batch expression, patching a finished job, unknown ack ids). */
export class ZizqUnprocessableError extends ZizqHttpError {
  override name = "ZizqUnprocessableError";
}

/** 5xx: the server failed. */
export class ZizqServerError extends ZizqHttpError {
  override name = "ZizqServerError";
}
