import type { PlainSignal } from "./deadline.ts";

/**
 * Marks a `fetch` that carries a narrower way to send the client's unary requests (an
 * `Exchange`) under this key. The transport sends every call but the take stream through it, so
 * a runtime where a WHATWG `Response` costs more than the request (Node: figures in
 * docs/runtimes.md) answers with just what the client reads. `nodeFetch` carries one. A fetch
 * without it is used as is: `fetch` stays the default, and any fetch a caller hands in wins.
 * `Symbol.for`, so that a `nodeFetch` and a `Client` from two copies of the package still agree.
 */
export const EXCHANGE = Symbol.for("zizq-edge.exchange");

/** Statuses whose responses carry no body: the Response constructor refuses one. */
export const NULL_BODY_STATUSES: readonly number[] = [204, 205, 304];

/** One unary request, as the transport sends it: the body is already encoded. */
export interface Outgoing {
  method: string;
  /** The whole URL, with path and query. */
  url: string;
  /** The URL's origin (`http://host:port`) and the rest (path and query): the same resource as `url`, as a pool per origin takes it, unparsed. */
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array<ArrayBuffer> | null;
  /** The attempt's deadline: it must abort the request and any read of its body, rejecting with its `reason`. */
  signal: PlainSignal | undefined;
}

/**
 * The part of a `Response` the client reads; a `Response` is one. The body is read once, whole,
 * or cancelled.
 */
export interface Answer {
  readonly status: number;
  readonly ok: boolean;
  /** `"opaqueredirect"` for a browser's answer to `redirect: "manual"`; anything else otherwise. */
  readonly type?: string;
  readonly headers: AnswerHeaders;
  /** Null when there is none to free (a 204). */
  readonly body: { cancel(): Promise<void> } | null;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** An answer's headers: looked up by name, case-insensitively, and listed as pairs (ky's retries make a `Response` of them). */
export interface AnswerHeaders extends Iterable<[string, string]> {
  get(name: string): string | null;
}

/**
 * Sends one request, as `fetch` would: a connection failure rejects with `TypeError`, an abort
 * with the signal's reason; any status is an answer. Redirects are not followed.
 */
export type Exchange = (request: Outgoing) => Promise<Answer>;

/** The exchange a `fetch` carries under `EXCHANGE`, if any. */
export function carriedExchange(fetch: unknown): Exchange | undefined {
  const exchange = typeof fetch === "function" ? (fetch as { [EXCHANGE]?: unknown })[EXCHANGE] : undefined;
  return typeof exchange === "function" ? (exchange as Exchange) : undefined;
}
