/**
 * A `fetch` over an undici Dispatcher's `request`, and the narrower `Exchange` the client sends
 * its unary calls through: the Node fast path of `nodeFetch`.
 *
 * Node's global `fetch` runs every request through the WHATWG fetch algorithm on top of undici;
 * on loopback that costs several times what the request itself does (docs/runtimes.md).
 * The client needs far less of fetch: a status, headers, a body as a web stream, an abort signal
 * and fetch's error shapes. This gives exactly that over `Dispatcher.request`, and answers a real
 * global `Response`, so `instanceof Response` (ky's retry engine checks it) and every body reader
 * work as they do with fetch.
 *
 * What it leaves out, as the client never needs it: redirects are not followed (the client sends
 * `redirect: "manual"` and refuses them), bodies are not decompressed (no `accept-encoding` is
 * sent, so a server has no reason to compress), no cookies, no CORS.
 */
import * as nodeStream from "node:stream";
import type { Dispatcher } from "undici";
import { type Answer, type AnswerHeaders, type Exchange, NULL_BODY_STATUSES, type Outgoing as Sent } from "../src/client/exchange.ts";
import type { PlainSignal } from "../src/client/deadline.ts";

type FetchInit = RequestInit & { duplex?: "half" };

/** An AbortSignal, or a `PlainSignal` from a Client (src/client/deadline.ts): undici takes either. */
type Signal = AbortSignal | PlainSignal | null;

/** Where a request goes, as `Dispatcher.request` takes it. */
interface Target {
  origin: string;
  /** Path and query. */
  path: string;
  href: string;
}

/** The request as `Dispatcher.request` takes it. */
interface Outgoing {
  target: Target;
  method: string;
  headers: Record<string, string>;
  body: string | Uint8Array | null;
  signal: Signal;
}

type NodeBody = Dispatcher.ResponseData["body"];
type NodeHeaders = Dispatcher.ResponseData["headers"];

/** `fetch`, shaped over `dispatcher.request`: a network failure is fetch's `TypeError`, an abort rejects with the signal's reason. */
export function dispatcherFetch(dispatcher: Dispatcher): typeof globalThis.fetch {
  return async (input: string | URL | Request, init?: FetchInit): Promise<Response> => {
    const parts = toOutgoing(input, init);
    const outgoing = parts instanceof Promise ? await parts : parts;
    const { target, signal } = outgoing;
    return dispatch(dispatcher, outgoing, (status, headers, body) => new NodeResponse(body, signal, target.href, status, toHeaders(headers)));
  };
}

/**
 * The client's `Exchange` over `dispatcher.request`: the same request and errors as
 * `dispatcherFetch`, answered with a `NodeAnswer` rather than a `Response`, whose construction
 * cost a bulk ack more than the rest of its client work (`npm run bench -- worker`).
 */
export function dispatcherExchange(dispatcher: Dispatcher): Exchange {
  return (sent: Sent) => {
    const signal = sent.signal ?? null;
    const target = { origin: sent.origin, path: sent.path, href: sent.url };
    return dispatch(dispatcher, { target, method: sent.method, headers: sent.headers, body: sent.body, signal }, (status, headers, body) => new NodeAnswer(status, headers, body, signal));
  };
}

/** Sends `outgoing` and answers `answer(...)` of the reply, as fetch fails: a network failure is a `TypeError`, an abort rejects with the signal's reason. */
async function dispatch<T>(
  dispatcher: Dispatcher,
  { target, method, headers, body, signal }: Outgoing,
  answer: (status: number, headers: NodeHeaders, body: NodeBody | null) => T,
): Promise<T> {
  if (signal?.aborted) throw signal.reason;
  let reply: Dispatcher.ResponseData;
  try {
    reply = await dispatcher.request({
      origin: target.origin,
      path: target.path,
      method: method as Dispatcher.HttpMethod,
      headers,
      body,
      signal: signal as AbortSignal | null,
    });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new TypeError("fetch failed", { cause: error });
  }
  const status = reply.statusCode;
  const empty = method === "HEAD" || NULL_BODY_STATUSES.includes(status);
  // Read to its end before answering, as a `request` user does: answering at the headers while
  // the empty body still flowed left a Worker's acks slower (bench/worker.ts, concurrency 1-25).
  if (empty) await reply.body.dump();
  return answer(status, reply.headers, empty ? null : reply.body);
}

/**
 * A body read whole from undici's body, failing as fetch's does: with the signal's reason after
 * an abort, a JSON `SyntaxError` as is, else a `TypeError("terminated")`.
 */
function readWhole<K extends "text" | "json" | "arrayBuffer">(node: NodeBody, kind: K, signal: Signal): ReturnType<NodeBody[K]> {
  return (node[kind]() as Promise<unknown>).catch((error: unknown) => {
    if (signal?.aborted) throw signal.reason;
    if (error instanceof SyntaxError) throw error;
    throw new TypeError("terminated", { cause: error });
  }) as ReturnType<NodeBody[K]>;
}

/** What the client reads of an answer, over undici's reply: no `Response`, no `Headers` until asked for. */
class NodeAnswer implements Answer {
  readonly status: number;
  readonly #headers: NodeHeaders;
  readonly #node: NodeBody | null;
  readonly #signal: Signal;

  constructor(status: number, headers: NodeHeaders, node: NodeBody | null, signal: Signal) {
    this.status = status;
    this.#headers = headers;
    this.#node = node;
    this.#signal = signal;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get headers(): AnswerHeaders {
    return new RecordHeaders(this.#headers);
  }

  get body(): { cancel(): Promise<void> } | null {
    const node = this.#node;
    return node === null ? null : { cancel: async () => void node.destroy() };
  }

  text(): Promise<string> {
    return this.#node === null ? Promise.resolve("") : readWhole(this.#node, "text", this.#signal);
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#node === null ? Promise.resolve(new ArrayBuffer(0)) : readWhole(this.#node, "arrayBuffer", this.#signal);
  }
}

/** undici's header record (names in lower case) as an answer's headers. */
class RecordHeaders implements AnswerHeaders {
  readonly #raw: NodeHeaders;

  constructor(raw: NodeHeaders) {
    this.#raw = raw;
  }

  get(name: string): string | null {
    const value = this.#raw[name.toLowerCase()];
    return value === undefined ? null : typeof value === "string" ? value : value.join(", ");
  }

  [Symbol.iterator](): Iterator<[string, string]> {
    return toHeaders(this.#raw)[Symbol.iterator]();
  }
}
type Bytes = Uint8Array<ArrayBuffer>;

/** Whether a web stream has been read from or cancelled; in Node since 16.8, missing from its types. */
const isDisturbed = (nodeStream as unknown as { isDisturbed(stream: ReadableStream): boolean }).isDisturbed;

/**
 * A global Response over undici's body. Its web stream is made only when `body` is asked for (a
 * take stream): a `ReadableStream` costs more to make on Node 20 than the rest of a small request.
 * A whole-body read (`text`, `json`, `arrayBuffer`) before that takes the bytes straight from
 * undici's body. Either way a body is
 * read once, as fetch's is.
 */
class NodeResponse extends Response {
  readonly #node: NodeBody | null;
  readonly #signal: Signal;
  readonly #url: string;
  /** The header pairs, until `headers` is first read. */
  #pairs: [string, string][] | undefined;
  #headers: Headers | undefined;
  #stream: ReadableStream<Bytes> | undefined;
  /** A whole-body read took the body before any stream was made. */
  #taken = false;

  constructor(node: NodeBody | null, signal: Signal, url: string, status: number, headers: [string, string][]) {
    super(null, { status });
    this.#pairs = headers;
    this.#node = node;
    this.#signal = signal;
    this.#url = url;
  }

  override get url(): string {
    return this.#url;
  }

  /** Built when first read: a client reads none of an ack's 204. */
  override get headers(): Headers {
    if (this.#headers === undefined) {
      this.#headers = new Headers(this.#pairs);
      this.#pairs = undefined;
    }
    return this.#headers;
  }

  override get body(): ReadableStream<Bytes> | null {
    if (this.#node === null) return null;
    if (this.#stream === undefined) {
      this.#stream = webStream(this.#node, this.#signal, this.#taken);
      // Already read whole: the stream is there, but used, as fetch's would be.
      if (this.#taken) void this.#stream.cancel().catch(() => undefined);
    }
    return this.#stream;
  }

  override get bodyUsed(): boolean {
    return this.#taken || (this.#stream !== undefined && isDisturbed(this.#stream));
  }

  override text(): Promise<string> {
    if (this.#node === null) return super.text();
    return this.#whole("text") ?? this.#asFetched((response) => response.text());
  }

  override json(): Promise<unknown> {
    if (this.#node === null) return super.json();
    return this.#whole("json") ?? this.#asFetched((response) => response.json());
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    if (this.#node === null) return super.arrayBuffer();
    return this.#whole("arrayBuffer") ?? this.#asFetched((response) => response.arrayBuffer());
  }

  override blob(): Promise<Blob> {
    return this.#asFetched((response) => response.blob());
  }

  override formData(): Promise<FormData> {
    return this.#asFetched((response) => response.formData());
  }

  override clone(): Response {
    const init = { status: this.status, statusText: this.statusText, headers: this.headers };
    const body = this.body;
    if (body === null) return new Response(null, init);
    if (this.bodyUsed || body.locked) throw new TypeError("Response.clone: Body has already been consumed.");
    const [mine, theirs] = body.tee();
    this.#stream = mine;
    return new Response(theirs, init);
  }

  /** The whole body from undici's body, or undefined once a stream was made or the body was taken. */
  #whole<K extends "text" | "json" | "arrayBuffer">(kind: K): ReturnType<NodeBody[K]> | undefined {
    const node = this.#node as NodeBody;
    if (this.#stream !== undefined || this.#taken) return undefined;
    this.#taken = true;
    return readWhole(node, kind, this.#signal);
  }

  /** `read` of a standard Response over this body's stream: an empty body reads as empty, a used or locked one rejects with fetch's TypeError. */
  #asFetched<T>(read: (response: Response) => Promise<T>): Promise<T> {
    try {
      if (this.bodyUsed) throw new TypeError("Body is unusable: Body has already been read");
      return read(new Response(this.body, { headers: this.headers }));
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

/**
 * The Node body as a web byte stream: chunks pass through as views (no copy), reading pauses
 * while the consumer is a chunk behind, and cancelling destroys the body, which frees or closes
 * its connection (unless `taken`: a whole-body read has it). A body that breaks errors the stream
 * as fetch's does: with the signal's reason after an abort, else a `TypeError("terminated")`.
 */
function webStream(body: NodeBody, signal: Signal, taken: boolean): ReadableStream<Bytes> {
  let open = !taken;
  return new ReadableStream<Bytes>({
    start(controller) {
      if (taken) return;
      body.on("data", (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer as ArrayBuffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) body.pause();
      });
      body.once("end", () => {
        if (open) controller.close();
        open = false;
      });
      body.once("error", (error: Error) => {
        if (open) controller.error(signal?.aborted ? signal.reason : new TypeError("terminated", { cause: error }));
        open = false;
      });
    },
    pull() {
      if (!taken) body.resume();
    },
    cancel() {
      if (!open) return;
      open = false;
      body.destroy();
    },
  });
}

/** undici's header record as the pairs a Response takes, a repeated header once per value; the Headers are built once, from these, when read. */
function toHeaders(raw: NodeHeaders): [string, string][] {
  const pairs: [string, string][] = [];
  for (const name in raw) {
    const value = raw[name];
    if (typeof value === "string") pairs.push([name, value]);
    else if (value !== undefined) for (const each of value) pairs.push([name, each]);
  }
  return pairs;
}

/**
 * What a fetch call asks for, read from its arguments: the client's calls (a string URL, a
 * headers record, a string or byte body) pass straight through; a `Request`, a `Headers` or a
 * body of another kind (a Blob, form data, a stream) is read into those first.
 */
function toOutgoing(input: string | URL | Request, init: FetchInit = {}): Outgoing | Promise<Outgoing> {
  if (input instanceof Request) return fromRequest(new Request(input, init));
  const target = typeof input === "string" ? parsedTarget(input) : targetOf(input);
  const method = (init.method ?? "GET").toUpperCase();
  const signal = init.signal ?? null;
  const given = init.headers;
  const plain = given === undefined || (given.constructor === Object && !(Symbol.iterator in given));
  const headers = plain ? ((given ?? {}) as Record<string, string>) : Object.fromEntries(new Headers(given));
  const raw = init.body ?? null;
  if (raw === null || typeof raw === "string" || raw instanceof Uint8Array) return { target, method, headers, body: raw, signal };
  if (raw instanceof ArrayBuffer) return { target, method, headers, body: new Uint8Array(raw), signal };
  if (ArrayBuffer.isView(raw)) return { target, method, headers, body: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), signal };
  // A body fetch would encode itself (form data, a Blob, a stream): the Request class encodes it, with its Content-Type.
  return fromRequest(new Request(target.href, { method, headers, body: raw, signal, duplex: "half" } as FetchInit));
}

/** Parsed request URLs by their text, cleared when full: a client sends to a few URLs again and again (job-specific paths cannot grow it without bound). */
const parsedTargets = new Map<string, Target>();
const PARSED_URLS = 256;

/** A URL's target; `origin` is computed on each read of a `URL`, so it is read once here. */
const targetOf = (url: URL): Target => ({ origin: url.origin, path: url.pathname + url.search, href: url.href });

/**
 * The target of `new URL(text)`, parsed once per text: a Worker sends the same ack URL again and
 * again.
 */
function parsedTarget(text: string): Target {
  let target = parsedTargets.get(text);
  if (target === undefined) {
    if (parsedTargets.size >= PARSED_URLS) parsedTargets.clear();
    target = targetOf(new URL(text));
    parsedTargets.set(text, target);
  }
  return target;
}

async function fromRequest(request: Request): Promise<Outgoing> {
  const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
  return { target: targetOf(new URL(request.url)), method: request.method, headers: Object.fromEntries(request.headers), body, signal: request.signal };
}
