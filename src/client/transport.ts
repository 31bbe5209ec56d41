import type { ZizqRequestInfo } from "../errors/zizq-error.ts";
import { MEDIA } from "../protocol/media.ts";
import type { PickReply } from "../protocol/replies.ts";
import type { Failed } from "./call-failure.ts";
import { decodeBody, encodeBody, type Format } from "./codec.ts";
import { type Deadline, Deadlines, takesPlainSignal } from "./deadline.ts";
import { type Answer, carriedExchange, type Exchange } from "./exchange.ts";
import type { RetryPolicy, Retrying } from "./retries.ts";

export interface TransportOptions {
  /** The server's base URL, `http://` or `https://`; a path (`http://host/zizq`) is kept. */
  url: string;
  /**
   * The `fetch` to send with: inject one for mutual TLS, a Workers service binding, or tests
   * (`createTestServer().fetch` works as is). A fetch carrying an `Exchange` (exchange.ts), as
   * `nodeFetch` does, sends every call but the take stream through it.
   *
   * @default globalThis.fetch
   */
  fetch?: typeof globalThis.fetch;
  /**
   * The wire format of bodies.
   *
   * @default "json"
   */
  format?: Format;
  /**
   * Per attempt, in ms; `false` waits as long as the server takes.
   *
   * @default 10000
   */
  timeoutMs?: number | false;
  /**
   * Retries of requests that are safe to repeat; `false` for none.
   *
   * @default { limit: 2, initialDelayMs: 300, maxDelayMs: 5000 }
   */
  retry?: RetryPolicy | false;
  /**
   * Headers sent with every request.
   *
   * @example
   * ```ts
   * new Client({ url, headers: { authorization: `Bearer ${token}` } });
   * ```
   */
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
  /** The path and query from the server's origin, for an exchange. */
  path: string;
  /** Attempts made so far. */
  count: number;
  /** The current attempt's deadline; a new attempt clears the one before. */
  deadline?: Deadline;
  /** The first attempt's outcome, made before ky was consulted, for ky to take as its own first attempt. */
  first?: { response: Answer } | { error: unknown };
}

/**
 * Sends unary requests: encodes bodies in the client's format, decodes answers by their
 * Content-Type and checks them against the endpoint's shape, retries what is safe to retry, and
 * turns failures into `ZizqError`s. Redirects are never followed: Zizq does not send them.
 *
 * Every call's first attempt is one plain fetch, or one exchange when the fetch carries one. ky,
 * the retry engine, loads with the first call safe to repeat that fails or answers 5xx
 * (retries.ts), and the code that builds errors with the first failure (call-failure.ts): a
 * producer's bundle carries neither.
 */
export class Transport {
  readonly format: Format;
  readonly baseUrl: string;
  /** The base URL's origin, for an exchange. */
  private readonly origin: string;
  /** The base URL's own path (`/zizq` for `http://host/zizq`), shown in error messages. */
  private readonly basePath: string;
  readonly fetch: typeof globalThis.fetch;
  /** What unary calls are sent through when the fetch carries it. */
  private readonly exchange: Exchange | undefined;
  /** Extra headers the caller asked to send on every request. */
  readonly headers: Record<string, string>;
  /** Sent on every request: the Accept of the client's format and the caller's headers. */
  private readonly requestHeaders: Record<string, string>;
  /** The same, with the Content-Type of the client's format, for requests with a body. */
  private readonly bodyHeaders: Record<string, string>;
  /** The retry policy of idempotent calls, defaults filled in; false when retries are off. */
  private readonly retry: Required<RetryPolicy> | false;
  /** Sends a call with retries; loaded with the first call that is safe to repeat. */
  private retrying: Promise<Retrying<Attempts>> | undefined;
  private readonly timeoutMs: number | false;
  /** Each attempt's deadline, on one timer; none when `timeoutMs` is false. */
  private readonly deadlines: Deadlines | undefined;
  /** The fetch honours a `PlainSignal` (deadline.ts): it is handed the attempt's `Deadline` as its signal. */
  private readonly plainSignal: boolean;
  /** The reply checks, loaded with the first request; `replyChecks` once they are. */
  private replies: Promise<typeof import("../protocol/replies.ts")> | undefined;
  private replyChecks: typeof import("../protocol/replies.ts") | undefined;

  constructor(options: TransportOptions) {
    this.format = options.format ?? "json";
    this.baseUrl = options.url.replace(/\/+$/, "");
    // The Client has checked that the URL parses.
    const base = new URL(this.baseUrl);
    this.origin = base.origin;
    this.basePath = base.pathname.replace(/\/+$/, "");
    // Bound, so a runtime's global fetch is not called with another `this`.
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.exchange = carriedExchange(options.fetch);
    // An exchange honours the deadline for the request and its body.
    this.plainSignal = this.exchange !== undefined || takesPlainSignal(options.fetch);
    this.headers = { ...options.headers };
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.deadlines = this.timeoutMs === false ? undefined : new Deadlines(this.timeoutMs);
    this.retry = options.retry !== false && { limit: 2, initialDelayMs: 300, maxDelayMs: 5_000, ...options.retry };
    const media = this.format === "msgpack" ? MEDIA.msgpack : MEDIA.json;
    this.requestHeaders = { accept: media, ...this.headers };
    this.bodyHeaders = { ...this.requestHeaders, "content-type": media };
  }

  /**
   * One attempt: a plain fetch of the encoded body. With retries ky's `beforeRequest` hook makes
   * it, so that ky keeps the retry policy and Retry-After while the request still goes out as is.
   * Left to ky, every request would be rebuilt and its body cloned into a stream for a possible
   * retry (the figures are in docs/producing.md, "Bundle size").
   * The attempt's deadline covers its response body too: `send` reads the body against it.
   */
  private attempt(method: string, url: string, context: Attempts): Promise<Answer> {
    context.deadline?.clear();
    context.count++;
    if (this.exchange !== undefined) {
      const signal = this.deadlines === undefined ? undefined : (context.deadline = this.deadlines.start());
      // The call's own path, not one parsed from `url` (ky's retries name the same resource).
      return this.exchange({ method, url, origin: this.origin, path: context.path, headers: context.headers, body: context.body ?? null, signal });
    }
    // A redirect comes back as the response (an opaque one in browsers): see `failures.httpError`.
    const init: RequestInit = { method, headers: context.headers, body: context.body ?? null, redirect: "manual" };
    if (this.deadlines === undefined) return this.fetch(url, init);
    const deadline = (context.deadline = this.deadlines.start());
    if (this.plainSignal) {
      init.signal = deadline as unknown as AbortSignal;
      return this.fetch(url, init);
    }
    // Aborting frees the connection; the race also ends the wait for a fetch that ignores it.
    init.signal = deadline.signal();
    return deadline.race(this.fetch(url, init));
  }

  /** Whether unary calls go out through an `Exchange`, whose requests cost little. */
  get throughExchange(): boolean {
    return this.exchange !== undefined;
  }

  /** What errors about a request to `path` (path and query, from `/`) say about it. */
  requestInfo(method: string, path: string): ZizqRequestInfo & { url: string } {
    return { method, path: `${this.basePath}${path}`, url: `${this.baseUrl}${path}` };
  }

  async send<Body>(call: Call<Body>): Promise<Reply<Body>> {
    const request = this.requestInfo(call.method, call.path);
    // Loads alongside the first request rather than after it.
    const replies = this.replyChecks ?? (this.replies ??= import("../protocol/replies.ts"));
    const context: Attempts = { headers: this.requestHeaders, path: request.path, count: 0 };
    if (call.body !== undefined) {
      const encoded = encodeBody(call.body, this.format);
      context.body = typeof encoded === "string" ? encoded : await encoded;
      context.headers = this.bodyHeaders;
    }
    try {
      let response: Answer;
      try {
        response = await this.answer(call, request.url, context);
      } catch (error) {
        throw await this.failure(request, context, { error });
      }
      if (!response.ok) {
        if (context.count > 1 && call.doneWhenRetried?.includes(response.status)) {
          await response.body?.cancel().catch(() => undefined);
          return { status: response.status, body: undefined as Body };
        }
        throw await this.failure(request, context, { answered: response });
      }
      let body: unknown;
      // An ack's 204 has nothing to read (decodeBody would answer undefined a promise later).
      if (response.status !== 204) {
        try {
          body = await this.read(response, context);
        } catch (error) {
          throw await this.failure(request, context, { error, decoding: response });
        }
      }
      const { REPLIES, replyProblem } = (this.replyChecks ??= await replies);
      const problem = replyProblem(call.reply(REPLIES), body, () => response.headers.get("content-type"));
      if (problem !== undefined) throw await this.failure(request, context, { decoding: response, problem });
      return { status: response.status, body: body as Body };
    } finally {
      context.deadline?.clear();
    }
  }

  /**
   * The last attempt's response, whatever its status: one attempt, or as many as the retry policy
   * allows. The first attempt goes out plain; ky is consulted only when it failed or answered 5xx
   * (a 2xx, 3xx or 4xx answer is final), and replays that outcome as its own first attempt, so its
   * policy decides as if it had made it. ky rebuilding each request cost more than the request on
   * Node (figures in docs/runtimes.md).
   */
  private async answer(call: Call, url: string, context: Attempts): Promise<Answer> {
    if (!call.idempotent || !this.retry) return this.attempt(call.method, url, context);
    try {
      const response = await this.attempt(call.method, url, context);
      if (response.status < 500) return response;
      context.first = { response };
    } catch (error) {
      context.first = { error };
    }
    const policy = this.retry;
    this.retrying ??= import("./retries.ts").then(
      ({ retrying }) => retrying(this.baseUrl, policy, (method, url, attempts: Attempts) => this.attemptOrReplay(method, url, attempts)),
      (error: unknown) => {
        // A chunk that did not arrive is fetched again by the next call.
        this.retrying = undefined;
        throw error;
      },
    );
    return (await this.retrying)(call.method, call.path, context);
  }

  /** An attempt for ky: the first attempt's outcome when ky has not seen it yet, else a new attempt. */
  private attemptOrReplay(method: string, url: string, context: Attempts): Promise<Answer> {
    const first = context.first;
    if (first === undefined) return this.attempt(method, url, context);
    context.first = undefined;
    return "response" in first ? Promise.resolve(first.response) : Promise.reject(first.error);
  }

  /** The decoded body, unless the attempt's deadline passes first. */
  private read(response: Answer, context: Attempts): Promise<unknown> {
    const body = decodeBody(response);
    return context.deadline && !this.plainSignal ? context.deadline.race(body) : body;
  }

  /**
   * The `ZizqError` for a failed call; the code that builds it loads with the first failure. A
   * chunk that cannot load leaves the error as it is, or is itself the error.
   */
  private async failure(request: ZizqRequestInfo, context: Attempts, failed: Failed): Promise<unknown> {
    let failures: typeof import("./call-failure.ts");
    try {
      failures = await import("./call-failure.ts");
    } catch (loadError) {
      return failed.error ?? loadError;
    }
    const timeoutMs = this.timeoutMs === false ? 0 : this.timeoutMs;
    return failures.callError({ ...failed, request, timeoutMs, read: (response) => this.read(response, context) });
  }
}
