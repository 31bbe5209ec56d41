/**
 * A `fetch` over an undici Dispatcher's `request`: the Node fast path of `nodeFetch`.
 *
 * Node's global `fetch` runs every request through the WHATWG fetch algorithm on top of undici;
 * on loopback that costs several times what the request itself does (bench/worker.ts, issue 13).
 * The client needs far less of fetch: a status, headers, a body as a web stream, an abort signal
 * and fetch's error shapes. This gives exactly that over `Dispatcher.request`, and answers a real
 * global `Response`, so `instanceof Response` (ky's retry engine checks it) and every body reader
 * work as they do with fetch.
 *
 * What it leaves out, as the client never needs it: redirects are not followed (the client sends
 * `redirect: "manual"` and refuses them), bodies are not decompressed (no `accept-encoding` is
 * sent, so a server has no reason to compress), no cookies, no CORS.
 */
import type { Dispatcher } from "undici";

/** Statuses whose responses carry no body: the Response constructor refuses one. */
const NULL_BODY = new Set([204, 205, 304]);

type FetchInit = RequestInit & { duplex?: "half" };

/** The request as `Dispatcher.request` takes it. */
interface Outgoing {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | Uint8Array | null;
  signal: AbortSignal | null;
}

/** `fetch`, shaped over `dispatcher.request`: a network failure is fetch's `TypeError`, an abort rejects with the signal's reason. */
export function dispatcherFetch(dispatcher: Dispatcher): typeof globalThis.fetch {
  return async (input: string | URL | Request, init?: FetchInit): Promise<Response> => {
    const parts = toOutgoing(input, init);
    const outgoing = parts instanceof Promise ? await parts : parts;
    const { url, method, signal } = outgoing;
    if (signal?.aborted) throw signal.reason;
    let answer: Dispatcher.ResponseData;
    try {
      answer = await dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: method as Dispatcher.HttpMethod,
        headers: outgoing.headers,
        body: outgoing.body,
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new TypeError("fetch failed", { cause: error });
    }
    const { statusCode: status, headers, body } = answer;
    const empty = method === "HEAD" || NULL_BODY.has(status);
    if (empty) body.resume();
    const response = new Response(empty ? null : webStream(body, signal), { status, headers: toHeaders(headers) });
    Object.defineProperty(response, "url", { value: url.href });
    return response;
  };
}

/**
 * The Node body as a web byte stream: chunks pass through as views (no copy), reading pauses
 * while the consumer is a chunk behind, and cancelling destroys the body, which frees or closes
 * its connection. A body that breaks errors the stream as fetch's does: with the signal's reason
 * after an abort, else a `TypeError("terminated")`.
 */
function webStream(body: Dispatcher.ResponseData["body"], signal: AbortSignal | null): ReadableStream<Uint8Array> {
  let open = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      body.on("data", (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
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
      body.resume();
    },
    cancel() {
      open = false;
      body.destroy();
    },
  });
}

/** undici's header record as the pairs a Response takes, a repeated header once per value; the Response builds its Headers once, from these. */
function toHeaders(raw: Record<string, string | string[] | undefined>): [string, string][] {
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
  const url = new URL(input);
  const method = (init.method ?? "GET").toUpperCase();
  const signal = init.signal ?? null;
  const given = init.headers;
  const plain = given === undefined || (given.constructor === Object && !(Symbol.iterator in given));
  const headers = plain ? ((given ?? {}) as Record<string, string>) : Object.fromEntries(new Headers(given));
  const raw = init.body ?? null;
  if (raw === null || typeof raw === "string" || raw instanceof Uint8Array) return { url, method, headers, body: raw, signal };
  if (raw instanceof ArrayBuffer) return { url, method, headers, body: new Uint8Array(raw), signal };
  if (ArrayBuffer.isView(raw)) return { url, method, headers, body: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), signal };
  // A body fetch would encode itself (form data, a Blob, a stream): the Request class encodes it, with its Content-Type.
  return fromRequest(new Request(url, { method, headers, body: raw, signal, duplex: "half" } as FetchInit));
}

async function fromRequest(request: Request): Promise<Outgoing> {
  const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
  return { url: new URL(request.url), method: request.method, headers: Object.fromEntries(request.headers), body, signal: request.signal };
}
