import { HTTPError, TimeoutError } from "ky";
import type { RequestInfo } from "../errors/zizq-error.ts";
import { httpError, ZizqConnectionError, ZizqDecodeError, ZizqTimeoutError } from "./failures.ts";

/** What the transport knows of a call that failed. */
export interface CallFailure {
  request: RequestInfo;
  /** What ky or the read threw; undefined when the body decoded but had the wrong shape. */
  error: unknown;
  /** The attempt's deadline, 0 when there is none. */
  timeoutMs: number;
  /** Reads a failed answer's body against the attempt's deadline. */
  read: (response: Response) => Promise<unknown>;
  /** The response whose body would not decode or, with `problem`, had the wrong shape. */
  decoding?: Response;
  problem?: string;
}

/**
 * The `ZizqError` a failed call throws. Loaded with the first failure, with the error classes,
 * keeping both out of a producer's bundle.
 */
export async function callError({ request, error, timeoutMs, read, decoding, problem }: CallFailure): Promise<unknown> {
  if (error instanceof TimeoutError) return new ZizqTimeoutError(request, timeoutMs);
  if (decoding) return new ZizqDecodeError(request, decoding.headers.get("content-type"), error, problem);
  if (error instanceof HTTPError) {
    // The status is the news; a body that cannot be read only loses the server's message.
    const body = await read(error.response).catch(() => undefined);
    return httpError(request, error.response, body);
  }
  if (error instanceof DOMException && error.name === "AbortError") return error;
  return new ZizqConnectionError(request, error);
}
