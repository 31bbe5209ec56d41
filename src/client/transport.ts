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

/** What one call's attempts share: the encoded body, sent as is on every try, and the deadline. */
interface Attempts {
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  /** Rejects when the current attempt's deadline passes. */
  expired?: Promise<never>;
  /** Clears the current attempt's deadline; a new attempt clears the one before. */
  settle?: () => void;
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
  /** Sent on every request: the Accept of the client's format and the caller's headers. */
  private readonly requestHeaders: Record<string, string>;
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
    this.requestHeaders = { accept: this.format === "msgpack" ? MEDIA.msgpack : MEDIA.json, ...this.headers };
    this.ky = ky.create({
      prefixUrl: this.baseUrl,
      retry: 0,
      // Each attempt's deadline is set in `attempt`, around the fetch it makes.
      timeout: false,
      // ky copies `context` for each call, so the state the attempts share sits one level down.
      hooks: { beforeRequest: [(request, options) => this.attempt(request, (options.context as { attempts: Attempts }).attempts)] },
    });
  }

  /**
   * One attempt, sent by ky's `beforeRequest` hook so that ky keeps the retry policy, Retry-After
   * and error typing while the request goes out as a plain fetch of the encoded body. Left to
   * ky, every request would be rebuilt and its body cloned into a stream for a possible retry,
   * which costs more on loopback than the rest of the client together (see bench/client.ts).
   * The attempt's deadline covers its response body too: `send` reads the body against it.
   */
  private attempt(request: Request, context: Attempts): Promise<Response> {
    context.settle?.();
    // The request's own signal is ky's; an AbortController of our own per attempt costs more
    // than it saves, so a late answer is only discarded.
    const sent = this.fetch(request.url, {
      method: request.method,
      headers: context.headers,
      body: context.body ?? null,
      signal: request.signal,
    });
    if (this.timeoutMs === false) return sent;
    const timeoutMs = this.timeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    context.expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // An answer that comes too late is dropped; a body already being read is left to finish.
        sent.then((late) => (late.body?.locked ? undefined : late.body?.cancel()), () => undefined).catch(() => undefined);
        reject(new TimeoutError(request));
      }, timeoutMs);
    });
    context.settle = () => clearTimeout(timer);
    return Promise.race([sent, context.expired]);
  }

  async send<Body = unknown>(call: Call): Promise<Reply<Body>> {
    const request: RequestInfo = { method: call.method, path: call.path };
    const context: Attempts = { headers: this.requestHeaders };
    const init: Options = { method: call.method, retry: this.retryFor(call), context: { attempts: context } };
    if (call.body !== undefined) {
      const encoded = await encodeBody(call.body, this.format);
      context.body = encoded.body;
      context.headers = { ...this.requestHeaders, "content-type": encoded.contentType };
    }
    try {
      let response: Response;
      try {
        response = await this.ky(call.path.slice(1), init);
      } catch (error) {
        throw await this.failure(request, error, context);
      }
      try {
        return { status: response.status, body: (await this.read(response, context)) as Body };
      } catch (error) {
        if (error instanceof TimeoutError) throw this.timeout(request);
        throw new ZizqDecodeError(request, response.headers.get("content-type"), error);
      }
    } finally {
      context.settle?.();
    }
  }

  /** The decoded body, unless the attempt's deadline passes first. */
  private read(response: Response, context: Attempts): Promise<unknown> {
    const body = decodeBody(response);
    return context.expired ? Promise.race([body, context.expired]) : body;
  }

  private timeout(request: RequestInfo): ZizqTimeoutError {
    return new ZizqTimeoutError(request, this.timeoutMs === false ? 0 : this.timeoutMs);
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

  private async failure(request: RequestInfo, error: unknown, context: Attempts): Promise<Error> {
    if (error instanceof HTTPError) {
      // The status is the news; a body that cannot be read only loses the server's message.
      const body = await this.read(error.response, context).catch(() => undefined);
      return httpError(request, error.response, body);
    }
    if (error instanceof TimeoutError) return this.timeout(request);
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
