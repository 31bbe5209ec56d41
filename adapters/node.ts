/**
 * Node adapter: serve a fetch-style app (the in-memory test server, a push endpoint, any Hono
 * app) on a real port.
 *
 * One port speaks HTTP/1.1 and HTTP/2 with prior knowledge (h2c) at once, as the real Zizq
 * server does: the official Node and Rust clients send h2c to `http://` URLs, so a server that
 * only speaks HTTP/1.1 fails all their calls. Node has no such server built in, so a plain TCP
 * server peeks at the first bytes of each connection and hands the socket to a `node:http` or a
 * `node:http2` server that never listens on its own. `@hono/node-server` turns both protocols'
 * request/response objects into `Request`/`Response`, streams response bodies, and cancels the
 * body stream when the client goes away; nothing of that is repeated here.
 */
import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from "node:http";
import {
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from "node:http2";
import { createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { type FetchApp, type ServeOptions, type ServerHandle, serverUrl } from "../src/serving.ts";

export type { FetchApp, ServeOptions, ServerHandle };

/** What a client sends first on an HTTP/2 prior-knowledge connection (RFC 9113 §3.4). */
const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

export function serve(
  app: FetchApp,
  options: ServeOptions = {},
): Promise<ServerHandle> {
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
