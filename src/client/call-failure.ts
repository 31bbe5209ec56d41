import type { ZizqRequestInfo } from "../errors/zizq-error.ts";
import type { Answer } from "./exchange.ts";
import { httpError, ZizqConnectionError, ZizqDecodeError, ZizqTimeoutError } from "./failures.ts";

/** How a call failed. */
export interface Failed {
  /** What the fetch, the retries or the read threw. */
  error?: unknown;
  /** A response whose status is not 2xx. */
  answered?: Answer;
  /** A 2xx response whose body would not decode or, with `problem`, had the wrong shape. */
  decoding?: Answer;
  problem?: string;
}

/** What the transport knows of a call that failed. */
export interface CallFailure extends Failed {
  request: ZizqRequestInfo;
  /** The attempt's deadline, 0 when there is none. */
  timeoutMs: number;
  /** Reads a response's body against the attempt's deadline. */
  read: (response: Answer) => Promise<unknown>;
}

/**
 * The `ZizqError` a failed call throws. Loaded with the first failure, with the error classes,
 * keeping both out of a producer's bundle.
 */
export async function callError({ request, error, answered, decoding, problem, timeoutMs, read }: CallFailure): Promise<unknown> {
  if (error instanceof DOMException && error.name === "TimeoutError") return new ZizqTimeoutError(request, timeoutMs);
  if (decoding) return new ZizqDecodeError(request, decoding.headers.get("content-type"), error, problem);
  if (answered) {
    // The status is the news; a body that cannot be read only loses the server's message.
    const body = await read(answered).catch(() => undefined);
    return httpError(request, answered, body);
  }
  if (error instanceof DOMException && error.name === "AbortError") return error;
  return new ZizqConnectionError(request, error);
}
