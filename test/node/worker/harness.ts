/**
 * The harness of the Worker reliability tests: the in-memory test server on a real socket, a
 * client of it, job counts by status, and fetch wrappers that record or break
 * the requests a Worker makes.
 */
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { serve, type ServerHandle } from "../../../adapters/node.ts";
import type { FetchApp } from "../../../src/adapter/serve.ts";
import { Client, type ClientOptions } from "../../../src/index.ts";
import { createTestServer } from "../../../src/testing/index.ts";
import type { TestServer, TestServerOptions } from "../../../src/testing/index.ts";
import type { LoggerOption } from "../../../src/utils/logger.ts";

export const HOUR_MS = 3_600_000;

/** The test server on a real port. Completed jobs are kept an hour so they can be counted. */
export interface Served {
  server: TestServer;
  handle: ServerHandle;
  url: string;
  /** A client with no faults, for enqueueing and inspecting. */
  admin: Client;
  close(): Promise<void>;
}

export async function serveTestServer(options: TestServerOptions = {}, front?: (server: TestServer) => FetchApp): Promise<Served> {
  const server = createTestServer({ defaultRetention: { completedMs: HOUR_MS }, ...options });
  const handle = await serve(front ? front(server) : server, { port: 0 });
  const admin = new Client({ url: handle.url, retry: false });
  let closed: Promise<void> | undefined;
  return {
    server,
    handle,
    url: handle.url,
    admin,
    close: () =>
      (closed ??= (async () => {
        try {
          await handle.close();
        } finally {
          server.close();
        }
      })()),
  };
}

export function client(url: string, options: Partial<ClientOptions> = {}): Client {
  return new Client({ url, ...options });
}

export const STATUSES = ["scheduled", "ready", "in_flight", "completed", "dead"] as const;
export type Counts = Record<(typeof STATUSES)[number], number>;

/** How many jobs are in each status, asked of the server over HTTP. */
export async function counts(admin: Client): Promise<Counts> {
  const values = await Promise.all(STATUSES.map((status) => admin.jobs({ status }).count()));
  return Object.fromEntries(STATUSES.map((status, i) => [status, values[i]])) as Counts;
}

/** A logger that keeps what it is told, so a test can show it when something goes wrong. */
export function collectingLogger(): LoggerOption & { messages: { level: string; message: string; details?: unknown }[] } {
  const messages: { level: string; message: string; details?: unknown }[] = [];
  return {
    messages,
    warn: (message: string, details?: unknown) => void messages.push({ level: "warn", message, details }),
    error: (message: string, details?: unknown) => void messages.push({ level: "error", message, details }),
    debug: () => {},
  };
}

/** The ids of a `POST /jobs/success` body, or undefined for any other request. */
export function ackIds(input: RequestInfo | URL, init: RequestInit | undefined): string[] | undefined {
  if ((init?.method ?? "GET") !== "POST" || !String(input instanceof Request ? input.url : input).endsWith("/jobs/success")) return undefined;
  const body = init?.body;
  const text = typeof body === "string" ? body : new TextDecoder().decode(body as Uint8Array);
  return (JSON.parse(text) as { ids: string[] }).ids;
}

export function urlOf(input: RequestInfo | URL): string {
  return input instanceof Request ? input.url : String(input);
}

/** The job id of `POST /jobs/{id}/failure`, or undefined. */
export function nackId(input: RequestInfo | URL, init: RequestInit | undefined): string | undefined {
  if ((init?.method ?? "GET") !== "POST") return undefined;
  return /\/jobs\/([^/]+)\/failure$/.exec(new URL(urlOf(input)).pathname)?.[1];
}

/** One bulk ack that got an answer: when, and which of its ids the server completed. */
export interface LandedAck {
  at: number;
  status: number;
  landed: string[];
  notFound: string[];
}

/**
 * A fetch that records, for every bulk ack answered 204 (or 422 with `not_found`), the time the
 * answer came and the ids the server completed.
 */
export function ackRecordingFetch(): { fetch: typeof globalThis.fetch; acks: LandedAck[] } {
  const acks: LandedAck[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const ids = ackIds(input, init);
    const response = await globalThis.fetch(input, init);
    if (ids !== undefined) {
      const at = performance.now();
      if (response.ok) acks.push({ at, status: response.status, landed: ids, notFound: [] });
      else if (response.status === 422) {
        const notFound = ((await response.clone().json()) as { not_found: string[] }).not_found;
        const missing = new Set(notFound);
        acks.push({ at, status: 422, landed: ids.filter((id) => !missing.has(id)), notFound });
      }
    }
    return response;
  };
  return { fetch, acks };
}

/** Lines of a UTF-8 byte stream, each rewritten by `rewrite` (which gets it without its `\n`). */
export function rewriteLines(rewrite: (line: string) => string): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let carry = "";
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      const text = carry + decoder.decode(chunk, { stream: true });
      const end = text.lastIndexOf("\n");
      if (end === -1) {
        carry = text;
        return;
      }
      carry = text.slice(end + 1);
      const lines = text.slice(0, end).split("\n").map(rewrite);
      controller.enqueue(encoder.encode(`${lines.join("\n")}\n`));
    },
    flush(controller) {
      const rest = carry + decoder.decode();
      if (rest !== "") controller.enqueue(encoder.encode(rewrite(rest)));
    },
  });
}

/** A front for the test server whose take streams pass through `rewriteLines(rewrite)`; other requests pass as they are. */
export function rewritingTakeFront(rewrite: (line: string) => string): (server: TestServer) => FetchApp {
  return (server) => ({
    fetch: async (request) => {
      const response = await server.fetch(request);
      if (new URL(request.url).pathname !== "/jobs/take" || !response.ok || response.body === null) return response;
      // Cancelling the rewritten body (the client went away) cancels the server's stream, which requeues what it held.
      return new Response(response.body.pipeThrough(rewriteLines(rewrite)), { status: response.status, headers: response.headers });
    },
  });
}

/**
 * A fetch whose take responses keep the end of their body (an error or a close) from the reader
 * until `release()`: the server sees the stream break before the worker does, as through a proxy.
 * `broken` resolves when the first end is being held. Later ends pass once released.
 */
export function heldBreakFetch(inner: typeof globalThis.fetch = globalThis.fetch): {
  fetch: typeof globalThis.fetch;
  broken: Promise<void>;
  release(): void;
} {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let markBroken!: () => void;
  const broken = new Promise<void>((resolve) => (markBroken = resolve));
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const response = await inner(input, init);
    if (new URL(urlOf(input)).pathname !== "/jobs/take" || response.body === null) return response;
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (error) {
          markBroken();
          await released;
          controller.error(error);
          return;
        }
        if (!next.done) return controller.enqueue(next.value);
        markBroken();
        await released;
        controller.close();
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return { fetch, broken, release };
}

export type FrontMode = "silent" | "headers" | "forward";

/**
 * A TCP front on 127.0.0.1 for `target`: in `silent` mode it accepts connections and never
 * answers; in `headers` mode it answers every request with take-stream headers and no byte after;
 * in `forward` mode it passes bytes both ways. The mode applies to connections made after it is set.
 */
export async function tcpFront(target: string): Promise<{ url: string; mode: FrontMode; connections: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const upstream = new URL(target);
  const server = createServer((socket) => {
    front.connections++;
    track(socket);
    if (front.mode === "headers") {
      socket.once("data", () => socket.write("HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\ntransfer-encoding: chunked\r\n\r\n"));
    } else if (front.mode === "forward") {
      const to = connect(Number(upstream.port), upstream.hostname);
      track(to);
      to.on("close", () => socket.destroy());
      socket.on("close", () => to.destroy());
      socket.pipe(to).pipe(socket);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const front = {
    url: `http://127.0.0.1:${port}`,
    mode: "silent" as FrontMode,
    connections: 0,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return front;
}
