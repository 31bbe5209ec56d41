import ky, { HTTPError, type KyInstance, type Options, TimeoutError } from "ky";
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
import { ZizqTimeoutError } from "../errors/timeout-error.ts";
import type { RequestInfo } from "../errors/zizq-error.ts";
import { MEDIA } from "../protocol/media.ts";
import { decodeBody, encodeBody, type Format } from "./codec.ts";

/** Retries of requests that are safe to repeat. Delays grow 2× per attempt, with full jitter. */
export interface RetryPolicy {
  /** Retries after the first attempt. Default 2. */
  limit?: number;
  /** Delay before the first retry, before jitter. Default 300 ms. */
  initialDelayMs?: number;
  /** Cap on any one delay. Default 5 000 ms. */
  maxDelayMs?: number;
}

export interface TransportOptions {
  url: string;
  fetch?: typeof globalThis.fetch;
  format?: Format;
  /** Per attempt. Default 10 000 ms; `false` waits as long as the server takes. */
  timeoutMs?: number | false;
  retry?: RetryPolicy | false;
  headers?: Record<string, string>;
}

export interface Call {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path and query, starting with `/`. */
  path: string;
  body?: unknown;
  /** Whether repeating the request cannot do harm: only such requests are retried. */
  idempotent: boolean;
}

export interface Reply<Body = unknown> {
  status: number;
  body: Body;
}

/** Statuses worth another try; a 4xx never is. */
const RETRY_STATUSES = [500, 502, 503, 504];

/**
 * Sends unary requests: encodes bodies in the client's format, decodes answers by their
 * Content-Type, retries what is safe to retry, and turns failures into `ZizqError`s.
 */
export class Transport {
  readonly format: Format;
  readonly baseUrl: string;
  readonly fetch: typeof globalThis.fetch;
  /** Extra headers the caller asked to send on every request. */
  readonly headers: Record<string, string>;
  private readonly ky: KyInstance;
  private readonly retry: Required<RetryPolicy> | undefined;
  private readonly timeoutMs: number | false;

  constructor(options: TransportOptions) {
    this.format = options.format ?? "json";
    this.baseUrl = options.url.replace(/\/+$/, "");
    // Bound, so a runtime's global fetch is not called with another `this`.
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.headers = { ...options.headers };
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retry = options.retry === false ? undefined : { limit: 2, initialDelayMs: 300, maxDelayMs: 5_000, ...options.retry };
    const accept = this.format === "msgpack" ? MEDIA.msgpack : MEDIA.json;
    this.ky = ky.create({
      prefixUrl: this.baseUrl,
      fetch: this.fetch,
      timeout: this.timeoutMs,
      headers: { accept, ...this.headers },
      retry: 0,
    });
  }

  async send<Body = unknown>(call: Call): Promise<Reply<Body>> {
    const request: RequestInfo = { method: call.method, path: call.path };
    const init: Options = { method: call.method, retry: this.retryFor(call) };
    if (call.body !== undefined) {
      const encoded = await encodeBody(call.body, this.format);
      init.body = encoded.body;
      init.headers = { "content-type": encoded.contentType };
    }
    let response: Response;
    try {
      response = await this.ky(call.path.slice(1), init);
    } catch (error) {
      throw await this.failure(request, error);
    }
    return { status: response.status, body: (await this.decode(request, response)) as Body };
  }

  /**
   * ky's timeout ends when the headers arrive; the body must also arrive within the request
   * timeout, or a server that stalls mid-body would hang the call.
   */
  private async readBody(request: RequestInfo, response: Response): Promise<unknown> {
    const timeoutMs = this.timeoutMs;
    if (timeoutMs === false) return decodeBody(response);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        response.body?.cancel().catch(() => undefined);
        reject(new ZizqTimeoutError(request, timeoutMs));
      }, timeoutMs);
    });
    try {
      return await Promise.race([decodeBody(response), stalled]);
    } finally {
      clearTimeout(timer);
    }
  }

  private retryFor(call: Call): Options["retry"] {
    const policy = this.retry;
    if (!call.idempotent || !policy) return 0;
    return {
      limit: policy.limit,
      methods: [call.method.toLowerCase()],
      statusCodes: RETRY_STATUSES,
      afterStatusCodes: [503],
      maxRetryAfter: policy.maxDelayMs,
      delay: (attempt: number) => policy.initialDelayMs * 2 ** (attempt - 1),
      backoffLimit: policy.maxDelayMs,
      jitter: true,
      retryOnTimeout: true,
    };
  }

  private async decode(request: RequestInfo, response: Response): Promise<unknown> {
    try {
      return await this.readBody(request, response);
    } catch (error) {
      if (error instanceof ZizqTimeoutError) throw error;
      throw new ZizqDecodeError(request, response.headers.get("content-type"), error);
    }
  }

  private async failure(request: RequestInfo, error: unknown): Promise<Error> {
    if (error instanceof HTTPError) {
      // The status is the news; a body that cannot be read only loses the server's message.
      const body = await this.readBody(request, error.response).catch(() => undefined);
      return httpError(request, error.response, body);
    }
    if (error instanceof TimeoutError) return new ZizqTimeoutError(request, this.timeoutMs === false ? 0 : this.timeoutMs);
    if (error instanceof DOMException && error.name === "AbortError") return error;
    return new ZizqConnectionError(request, error);
  }
}

/** The error class for a status, carrying the server's `error` text. */
export function httpError(request: RequestInfo, response: Response, body: unknown): ZizqHttpError {
  const status = response.status;
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
