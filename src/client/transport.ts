import ky, { HTTPError, type KyInstance, type Options, TimeoutError } from "ky";
import type { RequestInfo } from "../errors/zizq-error.ts";
import { MEDIA } from "../protocol/media.ts";
import type { PickReply } from "../protocol/replies.ts";
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
  /** The server's base URL, `http://` or `https://`. */
  url: string;
  /**
   * The `fetch` to send with: inject one for mutual TLS, a Workers service binding, or tests
   * (`createTestServer().fetch` works as is). Default: the global `fetch`.
   */
  fetch?: typeof globalThis.fetch;
  /** The wire format of bodies: `"json"` (default) or `"msgpack"`. */
  format?: Format;
  /** Per attempt. Default 10 000 ms; `false` waits as long as the server takes. */
  timeoutMs?: number | false;
  /** Retries of requests that are safe to repeat; `false` for none. */
  retry?: RetryPolicy | false;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

export interface Call<Body = unknown> {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path and query, starting with `/`. */
  path: string;
  body?: unknown;
  /** What the endpoint answers: a 2xx reply of another media type or shape is a `ZizqDecodeError`. */
  reply: PickReply<Body>;
  /** Whether repeating the request cannot do harm: only such requests are retried. */
  idempotent: boolean;
  /**
   * Statuses that, answered to a retry, mean an earlier attempt whose answer was lost already
   * did the work (an ack retried after its response went missing finds the job gone: 404).
   */
  doneWhenRetried?: readonly number[];
}

export interface Reply<Body = unknown> {
  status: number;
  body: Body;
}

/** What one call's attempts share: the encoded body, sent as is on every try, and the deadline. */
interface Attempts {
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  /** Attempts made so far. */
  count: number;
  /** Rejects when the current attempt's deadline passes. */
  expired?: Promise<never>;
  /** Clears the current attempt's deadline; a new attempt clears the one before. */
  settle?: () => void;
}

/** Statuses worth another try; a 4xx never is. */
const RETRY_STATUSES = [500, 502, 503, 504];

/**
 * Sends unary requests: encodes bodies in the client's format, decodes answers by their
 * Content-Type and checks them against the endpoint's shape, retries what is safe to retry, and
 * turns failures into `ZizqError`s. Redirects are never followed: Zizq does not send them.
 */
export class Transport {
  readonly format: Format;
  readonly baseUrl: string;
  /** The base URL's own path (`/zizq` for `http://host/zizq`), shown in error messages. */
  private readonly basePath: string;
  readonly fetch: typeof globalThis.fetch;
  /** Extra headers the caller asked to send on every request. */
  readonly headers: Record<string, string>;
  private readonly ky: KyInstance;
  /** Sent on every request: the Accept of the client's format and the caller's headers. */
  private readonly requestHeaders: Record<string, string>;
  /** The same, with the Content-Type of the client's format, for requests with a body. */
  private readonly bodyHeaders: Record<string, string>;
  /** ky's retry options for idempotent calls; undefined when retries are off. */
  private readonly retryOptions: Options["retry"] | undefined;
  private readonly timeoutMs: number | false;
  /** The reply checks, loaded with the first request. */
  private replies: Promise<typeof import("../protocol/replies.ts")> | undefined;

  constructor(options: TransportOptions) {
    this.format = options.format ?? "json";
    this.baseUrl = options.url.replace(/\/+$/, "");
    // The Client has checked that the URL parses.
    this.basePath = new URL(this.baseUrl).pathname.replace(/\/+$/, "");
    // Bound, so a runtime's global fetch is not called with another `this`.
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.headers = { ...options.headers };
    this.timeoutMs = options.timeoutMs ?? 10_000;
    if (options.retry !== false) {
      const policy = { limit: 2, initialDelayMs: 300, maxDelayMs: 5_000, ...options.retry };
      this.retryOptions = {
        limit: policy.limit,
        // Only idempotent calls get these options, whatever their method.
        methods: ["get", "post", "put", "patch", "delete"],
        statusCodes: RETRY_STATUSES,
        afterStatusCodes: [503],
        maxRetryAfter: policy.maxDelayMs,
        delay: (attempt: number) => policy.initialDelayMs * 2 ** (attempt - 1),
        backoffLimit: policy.maxDelayMs,
        jitter: true,
        retryOnTimeout: true,
      };
    }
    const media = this.format === "msgpack" ? MEDIA.msgpack : MEDIA.json;
    this.requestHeaders = { accept: media, ...this.headers };
    this.bodyHeaders = { ...this.requestHeaders, "content-type": media };
    this.ky = ky.create({
      prefixUrl: this.baseUrl,
      retry: 0,
      // Each attempt's deadline is set in `attempt`, around the fetch it makes.
      timeout: false,
      // ky copies `context` for each call, so the state the attempts share sits one level down.
      hooks: {
        beforeRequest: [(request, options) => this.attempt(request, (options.context as { attempts: Attempts }).attempts)],
        // ky leaves the failed answer's body unread; cancelling it frees its connection.
        beforeRetry: [({ error }) => void (error instanceof HTTPError && error.response.body?.cancel().catch(() => undefined))],
      },
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
    context.count++;
    const controller = new AbortController();
    const sent = this.fetch(request.url, {
      method: request.method,
      headers: context.headers,
      body: context.body ?? null,
      signal: controller.signal,
      // A redirect comes back as the response (an opaque one in browsers): see `failures.httpError`.
      redirect: "manual",
    });
    if (this.timeoutMs === false) return sent;
    const timeoutMs = this.timeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Aborting frees the connection; the race also ends the wait for a fetch that ignores it.
    context.expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const timeout = new TimeoutError(request);
        controller.abort(timeout);
        reject(timeout);
      }, timeoutMs);
    });
    context.settle = () => clearTimeout(timer);
    return Promise.race([sent, context.expired]);
  }

  /** What errors about a request to `path` (path and query, from `/`) say about it. */
  requestInfo(method: string, path: string): RequestInfo & { url: string } {
    return { method, path: `${this.basePath}${path}`, url: `${this.baseUrl}${path}` };
  }

  async send<Body>(call: Call<Body>): Promise<Reply<Body>> {
    const request = this.requestInfo(call.method, call.path);
    // Loads alongside the first request rather than after it.
    const replies = (this.replies ??= import("../protocol/replies.ts"));
    const context: Attempts = { headers: this.requestHeaders, count: 0 };
    const init: Options = { method: call.method, retry: this.retryFor(call), context: { attempts: context } };
    if (call.body !== undefined) {
      context.body = await encodeBody(call.body, this.format);
      context.headers = this.bodyHeaders;
    }
    try {
      let response: Response;
      try {
        response = await this.ky(call.path.slice(1), init);
      } catch (error) {
        if (error instanceof HTTPError && context.count > 1 && call.doneWhenRetried?.includes(error.response.status)) {
          await error.response.body?.cancel().catch(() => undefined);
          return { status: error.response.status, body: undefined as Body };
        }
        throw await this.failure(request, error, context);
      }
      let body: unknown;
      try {
        body = await this.read(response, context);
      } catch (error) {
        throw await this.failure(request, error, context, response);
      }
      const { REPLIES, replyProblem } = await replies;
      const problem = replyProblem(call.reply(REPLIES), body, response.headers.get("content-type"));
      if (problem !== undefined) throw await this.failure(request, undefined, context, response, problem);
      return { status: response.status, body: body as Body };
    } finally {
      context.settle?.();
    }
  }

  /** The decoded body, unless the attempt's deadline passes first. */
  private read(response: Response, context: Attempts): Promise<unknown> {
    const body = decodeBody(response);
    return context.expired ? Promise.race([body, context.expired]) : body;
  }

  private retryFor(call: Call): Options["retry"] {
    return call.idempotent && this.retryOptions ? this.retryOptions : 0;
  }

  /**
   * The `ZizqError` for a failed call (see `CallFailure` for `decoding` and `problem`); the code
   * that builds it loads with the first failure. A chunk that cannot load leaves the error as is.
   */
  private async failure(request: RequestInfo, error: unknown, context: Attempts, decoding?: Response, problem?: string): Promise<unknown> {
    let failures: typeof import("./call-failure.ts");
    try {
      failures = await import("./call-failure.ts");
    } catch {
      return error;
    }
    const timeoutMs = this.timeoutMs === false ? 0 : this.timeoutMs;
    return failures.callError({ request, error, timeoutMs, read: (response) => this.read(response, context), decoding, problem });
  }
}
