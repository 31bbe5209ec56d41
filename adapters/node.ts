/**
 * Node adapter: `runWorker` (process signals into the shared `runUntilSignalled`), `nodeFetch`
 * (a `fetch` over undici's `request`, with TLS options, client certificates and keep-alive),
 * `nodeClient` (a Client that sends through it), `serve`
 * (a fetch-style app — the in-memory test server, a push endpoint, any Hono app — on a real port)
 * and `nodeJqThread` (the test server's payload filters on a worker thread).
 *
 * `serve`: one port speaks HTTP/1.1 and HTTP/2 with prior knowledge (h2c) at once, as the real Zizq
 * server does: the official Node and Rust clients send h2c to `http://` URLs, so a server that
 * only speaks HTTP/1.1 fails all their calls. Node has no such server built in, so a plain TCP
 * server peeks at the first bytes of each connection and hands the socket to a `node:http` or a
 * `node:http2` server that never listens on its own. `@hono/node-server` turns both protocols'
 * request/response objects into `Request`/`Response`, streams response bodies, and cancels the
 * body stream when the client goes away; nothing of that is repeated here.
 *
 * @module zizq-edge/node
 */
import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from "node:http";
import {
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from "node:http2";
import { createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import type { ConnectionOptions } from "node:tls";
import type { Dispatcher } from "undici";
import { Client, type ClientOptions } from "../src/client/client.ts";
import { TAKES_PLAIN_SIGNAL } from "../src/client/deadline.ts";
import { EXCHANGE, type Exchange } from "../src/client/exchange.ts";
import { assertPeers, loadWithPeers } from "../src/utils/optional-peers.ts";
import { type FetchApp, type ServeOptions, type ServerHandle, serverUrl } from "../src/adapter/serve.ts";
import { type RunWorkerOptions, runUntilSignalled } from "../src/worker/signals.ts";
import type { Worker } from "../src/worker/worker.ts";
import { dispatcherExchange, dispatcherFetch } from "./node-fetch.ts";

export type { FetchApp, RunWorkerOptions, ServeOptions, ServerHandle };
export { nodeJqThread } from "./node-jq-thread.ts";

/**
 * Runs `worker` until SIGINT or SIGTERM (or `options.signals`): the first stops it gracefully,
 * a second at once. Resolves with the exit code — 0 after a graceful stop, 1 after a forced stop
 * or a failed worker — and sets `process.exitCode` to it.
 */
export async function runWorker(worker: Worker, options: RunWorkerOptions = {}): Promise<number> {
  const source = {
    on: (signal: string, listener: () => void) => void process.on(signal as NodeJS.Signals, listener),
    off: (signal: string, listener: () => void) => void process.off(signal as NodeJS.Signals, listener),
  };
  const code = await runUntilSignalled(worker, source, options);
  process.exitCode = code;
  return code;
}

export interface NodeFetchOptions {
  /** Certificate authorities to trust instead of Node's bundled roots, PEM: the server's CA for a private Zizq. */
  ca?: ConnectionOptions["ca"];
  /** The client certificate chain, PEM, for mutual TLS. */
  cert?: ConnectionOptions["cert"];
  /** The client certificate's private key, PEM. */
  key?: ConnectionOptions["key"];
  /** Decrypts an encrypted `key`. */
  passphrase?: string;
  /** Server name for SNI and the certificate check, when it differs from the URL's host. */
  servername?: string;
  /** Default true. False accepts any server certificate: for experiments only. */
  rejectUnauthorized?: boolean;
  /** How long an idle connection stays open; default undici's 4 s, or the server's Keep-Alive hint. */
  keepAliveTimeoutMs?: number;
  /** Connections per origin at most; default no limit. A Worker needs 2 or more over HTTP/1.1: its take stream holds one. */
  connections?: number;
  /**
   * Offer HTTP/2 in the TLS handshake (ALPN): one connection carries every request, the take
   * stream too. Default false: measured against an mTLS server that speaks both, undici's HTTP/2
   * was 25–45% slower for single requests and no faster for a Worker's acks
   * (`npm run bench -- h2`).
   */
  allowH2?: boolean;
  /** TLS and TCP connect timeout; default undici's 10 s. */
  connectTimeoutMs?: number;
}

/** A `fetch` that also frees its connections. */
export type NodeFetch = typeof globalThis.fetch & {
  /** Closes the connection pool once its requests are done (stop the worker first: a take stream never is). */
  close(): Promise<void>;
};

/**
 * A `fetch` over an undici `Agent` with these TLS and pool options, for
 * `new Client({ url, fetch: nodeFetch() })`: each request goes out through undici's `request`
 * rather than Node's WHATWG `fetch`, which costs several times more per request, so a Worker's
 * acks and a producer's enqueues are cheaper (`npm run bench -- worker`). It answers real
 * `Response`s; redirects are not followed and bodies not decompressed (adapters/node-fetch.ts).
 * undici (an optional peer dependency) loads on the first request, so programs that only `serve`
 * never need it; a missing undici throws here, at once.
 */
export function nodeFetch(options: NodeFetchOptions = {}): NodeFetch {
  assertPeers(UNDICI);
  let agent: Promise<Dispatcher> | undefined;
  const load = () =>
    (agent ??= loadWithPeers(UNDICI, () => import("undici")).then(
      (undici) =>
        new undici.Agent({
          connect: {
            ca: options.ca,
            cert: options.cert,
            key: options.key,
            passphrase: options.passphrase,
            servername: options.servername,
            rejectUnauthorized: options.rejectUnauthorized ?? true,
            timeout: options.connectTimeoutMs,
          },
          keepAliveTimeout: options.keepAliveTimeoutMs,
          connections: options.connections,
          allowH2: options.allowH2 ?? false,
        }),
    ));
  // Until undici has loaded, each call waits for it; after that, calls go straight through.
  const first: typeof globalThis.fetch = async (input, init) => {
    const loaded = await load();
    if (send === first) send = dispatcherFetch(loaded);
    return send(input, init);
  };
  let send = first;
  const fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => send(input, init);
  const firstExchange: Exchange = async (outgoing) => {
    const loaded = await load();
    if (exchange === firstExchange) exchange = dispatcherExchange(loaded);
    return exchange(outgoing);
  };
  let exchange = firstExchange;
  const close = async (): Promise<void> => {
    if (agent) await (await agent).close();
  };
  // undici reads only `aborted`, `reason` and the "abort" listener of a signal: the Client hands its deadline as is.
  // A Client sends its unary calls through the exchange, its take stream through the fetch.
  return Object.assign(fetch, { close, [TAKES_PLAIN_SIGNAL]: true, [EXCHANGE]: (outgoing: Parameters<Exchange>[0]) => exchange(outgoing) }) as NodeFetch;
}

export interface NodeClientOptions extends ClientOptions {
  /** TLS and pool options of the `nodeFetch` the client sends with; not used when `fetch` is given. */
  connection?: NodeFetchOptions;
}

/**
 * A `Client` that sends through `nodeFetch` (undici's `request`): on Node, each request costs a
 * fraction of one through the global `fetch`, so a Worker's acks and a producer's enqueues go
 * faster. A `fetch` in the options wins. Needs undici, like `nodeFetch`.
 */
export function nodeClient(options: NodeClientOptions): Client {
  const { connection, ...client } = options;
  return new Client({ ...client, fetch: client.fetch ?? nodeFetch(connection) });
}

/** undici: a peer only `nodeFetch` needs; checked when it is called, not on the first request, where the client would retry it as a connection error. */
const UNDICI = {
  user: "nodeFetch",
  packages: ["undici"],
  install: "npm install undici@7 (or undici@8 on Node 22.19+)",
  why: "Node's built-in fetch has no TLS or pool options",
};

/** What a client sends first on an HTTP/2 prior-knowledge connection (RFC 9113 §3.4). */
const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/** `serve`'s peers: programs that only run workers never load them. */
const NODE_SERVER = { user: "serve", packages: ["@hono/node-server"], install: "npm install @hono/node-server" };

export async function serve(
  app: FetchApp,
  options: ServeOptions = {},
): Promise<ServerHandle> {
  const { getRequestListener } = await loadWithPeers(NODE_SERVER, () => import("@hono/node-server"));
  const hostname = options.hostname ?? "127.0.0.1";
  const listener = getRequestListener((request) => app.fetch(request), {
    // Fallback host for an HTTP/1.0 request without a Host header.
    hostname,
    // By default the listener swaps the process's global Request and Response for its own
    // lighter classes. A library must not change globals under its user's code.
    overrideGlobalObjects: false,
  });
  // Responses not yet closed, so that close() can wait until the app has seen each one end.
  const open = new Set<ServerResponse | Http2ServerResponse>();
  const onRequest = (
    request: IncomingMessage | Http2ServerRequest,
    response: ServerResponse | Http2ServerResponse,
  ): void => {
    open.add(response);
    response.once("close", () => open.delete(response));
    void listener(request, response);
  };
  // Neither server listens: they only receive sockets the sniffer hands them.
  const http1 = createHttp1Server(onRequest);
  const http2 = createHttp2Server(onRequest);

  const sockets = new Set<Socket>();
  const tcp = createNetServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    sniff(socket, (isHttp2) => {
      if (isHttp2) {
        // The HTTP/2 session drains the bytes put back into the socket's buffer itself.
        http2.emit("connection", socket);
      } else {
        http1.emit("connection", socket);
        // node:http only adds a "data" listener, which does not restart a socket that was
        // paused explicitly: without this the request put back would never be read.
        socket.resume();
      }
    });
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      options.signal?.removeEventListener("abort", onAbort);
      // The callback runs once the listener is shut and every accepted socket has closed.
      const unbound = new Promise<void>((resolve) => tcp.close(() => resolve()));
      // A response's "close" is where the listener cancels its body stream; a listener added
      // now runs after that one. Sockets close before HTTP/2 streams do, so wait for both.
      const ended = [...open].map((res) => new Promise((resolve) => res.once("close", resolve)));
      // Take streams never end on their own, so waiting for connections to drain would wait
      // forever. Destroying the sockets is what the app sees as a client disconnect: the
      // response body streams are cancelled and their jobs go back to `ready`.
      for (const socket of sockets) socket.destroy();
      await Promise.all([unbound, ...ended]);
    })());
  const onAbort = (): void => void close();

  return new Promise<ServerHandle>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(options.port ?? 0, hostname, () => {
      tcp.off("error", reject);
      const { port } = tcp.address() as AddressInfo;
      resolve({ url: serverUrl(hostname, port), port, hostname, close });
      if (options.signal?.aborted) void close();
      else options.signal?.addEventListener("abort", onAbort, { once: true });
    });
  });
}

/**
 * Read from `socket` until its first bytes either match the whole HTTP/2 preface or stop
 * matching it, then put every byte read back and call `handOff`. A short first packet is
 * possible, so one chunk is not always enough to decide.
 */
function sniff(socket: Socket, handOff: (isHttp2: boolean) => void): void {
  let head: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    const n = Math.min(head.length, H2_PREFACE.length);
    const matches = head.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
    if (matches && n < H2_PREFACE.length) return; // a prefix of the preface: wait for more
    socket.off("data", onData);
    socket.off("error", onError);
    // Pause before unshifting so no later chunk is emitted ahead of the bytes put back; the
    // server taking the socket reads it from there.
    socket.pause();
    socket.unshift(head);
    handOff(matches);
  };
  // Until a server owns the socket, a reset from the client is ours to swallow.
  const onError = (): void => void socket.destroy();
  socket.on("data", onData);
  socket.on("error", onError);
}
