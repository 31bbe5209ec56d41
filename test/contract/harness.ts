/**
 * Harness of the conformance suite (zizq-protocol.md §13).
 *
 * `target(ctx, options)` gives a test a fresh Zizq to talk to:
 * - by default the in-memory test server, called in-process through `server.fetch`;
 *   take streams go over a real socket (the same server behind the Node adapter);
 * - with `ZIZQ_URL` set, a real Zizq: `POST /reset` first, and the test is skipped when it
 *   needs a server config or licence tier the real server does not have.
 */
import { decode } from "@msgpack/msgpack";
import { expect, type TestContext } from "vitest";
import { serve, type ServerHandle } from "../../adapters/node.ts";
import { createTestServer } from "../../src/testing/index.ts";
import type { License, TestServer, TestServerOptions } from "../../src/testing/types.ts";

export const REMOTE_URL = process.env.ZIZQ_URL?.replace(/\/+$/, "");

/** Options the real server can only take at start-up: a test that needs them skips under ZIZQ_URL. */
const STARTUP_ONLY: (keyof TestServerOptions)[] = [
  "now",
  "random",
  "globalInFlightLimit",
  "defaultRetryLimit",
  "defaultBackoff",
  "defaultRetention",
  "reaperIntervalMs",
  "version",
  "maxBudgets",
];

/** A decoded response. `body` is the JSON or MessagePack value, chosen by Content-Type. */
export interface Reply {
  status: number;
  headers: Headers;
  contentType: string | null;
  bytes: Uint8Array;
  text: string;
  // Wire bodies vary per endpoint; tests check their shape with expect.
  body: any;
}

export interface RequestInit {
  /** Sent as JSON with `Content-Type: application/json` unless `headers` says otherwise. */
  json?: unknown;
  /** Sent as bytes as given, with no Content-Type unless `headers` sets one. */
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
}

export interface Target {
  readonly remote: boolean;
  readonly tier: License;
  /** The in-memory server (absent under ZIZQ_URL). */
  readonly server?: TestServer;
  /** The heartbeat interval in force: the option given in-process, 3 s on a real server. */
  readonly heartbeatMs: number;
  req(method: string, path: string, init?: RequestInit): Promise<Reply>;
  get(path: string, headers?: Record<string, string>): Promise<Reply>;
  post(path: string, json?: unknown): Promise<Reply>;
  put(path: string, json: unknown): Promise<Reply>;
  patch(path: string, json: unknown): Promise<Reply>;
  del(path: string): Promise<Reply>;
  /** `POST /jobs` with `job(fields)`; fails the test unless the answer is 201 or 200. */
  enqueue(fields?: Record<string, unknown>): Promise<any>;
  /** Open `GET /jobs/take` over a socket. The stream is closed when the test ends. */
  stream(query?: string, headers?: Record<string, string>): Promise<TakeStream>;
  /**
   * Take `n` jobs on a new stream with `prefetch=n` (`query` continues the query string, e.g.
   * `&queue=q`). The stream stays open, so the jobs stay in flight.
   */
  claim(n?: number, query?: string): Promise<any[]>;
  close(): Promise<void>;
}

/** An enqueue body with the required fields filled in. */
export function job(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: "t", queue: "q", payload: null, ...fields };
}

let remoteTier: Promise<License> | undefined;

/** The real server's tier, from whether a Pro-only route answers. */
function probeTier(): Promise<License> {
  remoteTier ??= (async () => {
    const res = await fetch(`${REMOTE_URL}/crons`);
    if (res.status !== 403) return "pro";
    const { error } = (await res.json()) as { error: string };
    return error.startsWith("License expired") ? "expired" : "free";
  })();
  return remoteTier;
}

export async function target(ctx: TestContext, options: TestServerOptions = {}): Promise<Target> {
  if (REMOTE_URL) {
    const needs = STARTUP_ONLY.filter((key) => options[key] !== undefined);
    if (needs.length > 0) ctx.skip(`needs server config ${needs.join(", ")}; not settable on ZIZQ_URL`);
    const tier = await probeTier();
    const wanted = options.license ?? tier;
    if (wanted !== tier) ctx.skip(`needs the ${wanted} tier; ZIZQ_URL is ${tier}`);
    const t = makeTarget(REMOTE_URL, tier, 3000);
    const reset = await t.post("/reset");
    if (reset.status !== 204) throw new Error(`POST /reset answered ${reset.status}`);
    ctx.onTestFinished(() => t.close());
    return t;
  }
  const server = createTestServer(options);
  const t = makeTarget(undefined, options.license ?? "free", options.heartbeatMs ?? 3000, server);
  ctx.onTestFinished(() => t.close());
  return t;
}

/**
 * Run `body` once per licence tier: in-process against a free and a Pro server, under
 * ZIZQ_URL once against whatever tier the real server has.
 */
export async function eachTier(
  ctx: TestContext,
  body: (t: Target, tier: License) => Promise<void>,
  options: TestServerOptions = {},
): Promise<void> {
  if (REMOTE_URL) {
    const t = await target(ctx, options);
    return body(t, t.tier);
  }
  for (const license of ["free", "pro"] as const) {
    await body(await target(ctx, { ...options, license }), license);
  }
}

function makeTarget(remoteUrl: string | undefined, tier: License, heartbeatMs: number, server?: TestServer): Target {
  const streams: TakeStream[] = [];
  let handle: Promise<ServerHandle> | undefined;

  const socketUrl = async (): Promise<string> => {
    if (remoteUrl) return remoteUrl;
    handle ??= serve(server!, { port: 0, hostname: "127.0.0.1" });
    return (await handle).url.replace(/\/+$/, "");
  };

  const send = (request: Request): Promise<Response> => (server ? server.fetch(request) : fetch(request));

  const t: Target = {
    remote: remoteUrl !== undefined,
    tier,
    heartbeatMs,
    ...(server ? { server } : {}),

    async req(method, path, init = {}) {
      const headers = new Headers(init.headers);
      let body: Uint8Array<ArrayBuffer> | undefined;
      if (init.json !== undefined) {
        body = new TextEncoder().encode(JSON.stringify(init.json));
        if (!headers.has("content-type")) headers.set("content-type", "application/json");
      } else if (init.raw !== undefined) {
        // Bytes, not a string: fetch would add `text/plain` to a string body.
        body = typeof init.raw === "string" ? new TextEncoder().encode(init.raw) : init.raw.slice();
      }
      const response = await send(new Request(`${remoteUrl ?? "http://zizq.test"}${path}`, { method, headers, body }));
      return readReply(response);
    },
    get: (path, headers) => t.req("GET", path, headers ? { headers } : {}),
    post: (path, json) => t.req("POST", path, json === undefined ? {} : { json }),
    put: (path, json) => t.req("PUT", path, { json }),
    patch: (path, json) => t.req("PATCH", path, { json }),
    del: (path) => t.req("DELETE", path),

    async enqueue(fields = {}) {
      const reply = await t.post("/jobs", job(fields));
      if (reply.status !== 201 && reply.status !== 200) {
        throw new Error(`enqueue answered ${reply.status}: ${reply.text}`);
      }
      return reply.body;
    },

    async stream(query = "", headers = {}) {
      const stream = await openStream(`${await socketUrl()}/jobs/take${query}`, headers);
      streams.push(stream);
      return stream;
    },

    async claim(n = 1, query = "") {
      const stream = await t.stream(`?prefetch=${n}${query}`);
      return stream.jobs(n);
    },

    async close() {
      for (const stream of streams) stream.close();
      server?.close();
      if (handle) await (await handle).close();
    },
  };
  return t;
}

async function readReply(response: Response): Promise<Reply> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  const contentType = response.headers.get("content-type");
  let body: unknown;
  if (bytes.length > 0 && contentType?.includes("application/msgpack")) body = decode(bytes);
  else if (bytes.length > 0 && contentType?.includes("application/json")) body = JSON.parse(text);
  return { status: response.status, headers: response.headers, contentType, bytes, text, body };
}

// ---------------------------------------------------------------------------------------------
// Take streams

export type StreamFormat = "ndjson" | "msgpack" | "sse";

/** One frame of a take stream; `raw` is its exact bytes, delimiters and length prefix included. */
export type Frame = { kind: "job"; job: any; raw: Uint8Array } | { kind: "heartbeat"; raw: Uint8Array };

function formatOf(contentType: string | null): StreamFormat {
  if (contentType?.includes("text/event-stream")) return "sse";
  if (contentType?.includes("msgpack")) return "msgpack";
  return "ndjson";
}

/**
 * A stateful decoder: feed it chunks as they come, get the complete frames. A frame split
 * across chunks is kept until its end arrives.
 */
export function frameParser(format: StreamFormat): (chunk: Uint8Array) => Frame[] {
  let buffer = new Uint8Array(0);
  const text = new TextDecoder();
  return (chunk) => {
    const joined = new Uint8Array(buffer.length + chunk.length);
    joined.set(buffer);
    joined.set(chunk, buffer.length);
    buffer = joined;
    const frames: Frame[] = [];
    for (;;) {
      const frame = cut();
      if (!frame) return frames;
      frames.push(frame);
    }
  };

  function cut(): Frame | undefined {
    if (format === "msgpack") {
      if (buffer.length < 4) return undefined;
      const length = new DataView(buffer.buffer, buffer.byteOffset, 4).getUint32(0);
      if (buffer.length < 4 + length) return undefined;
      const raw = take(4 + length);
      // decode() throws on trailing bytes, so this also checks the length is exact.
      return length === 0 ? { kind: "heartbeat", raw } : { kind: "job", job: decode(raw.subarray(4)), raw };
    }
    const end = format === "ndjson" ? indexOf([0x0a]) : indexOf([0x0a, 0x0a]);
    if (end < 0) return undefined;
    const raw = take(end + (format === "ndjson" ? 1 : 2));
    const body = text.decode(raw.subarray(0, end));
    if (format === "ndjson") return body === "" ? { kind: "heartbeat", raw } : { kind: "job", job: JSON.parse(body), raw };
    if (body.startsWith(":")) return { kind: "heartbeat", raw };
    const data = body
      .split("\n")
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(line.startsWith("data: ") ? 6 : 5))
      .join("\n");
    return { kind: "job", job: JSON.parse(data), raw };
  }

  // Jumps between candidates with the native indexOf: a byte-by-byte scan of a frame that
  // arrives in many chunks is quadratic (a 5 MB frame took 2.4 s).
  function indexOf(needle: number[]): number {
    for (let i = buffer.indexOf(needle[0]!); i !== -1 && i + needle.length <= buffer.length; i = buffer.indexOf(needle[0]!, i + 1)) {
      if (needle.every((byte, j) => buffer[i + j] === byte)) return i;
    }
    return -1;
  }

  function take(n: number): Uint8Array {
    const raw = buffer.slice(0, n);
    buffer = buffer.slice(n);
    return raw;
  }
}

export interface TakeStream {
  readonly response: Response;
  readonly format: StreamFormat;
  /** The next frame, or null if none arrives within `timeoutMs` (or the stream ended). */
  next(timeoutMs?: number): Promise<Frame | null>;
  /** The next job, skipping heartbeats; fails if none arrives in time. */
  nextJob(timeoutMs?: number): Promise<any>;
  jobs(n: number, timeoutMs?: number): Promise<any[]>;
  /** Fails if a job arrives within `ms` (heartbeats are fine). */
  expectNoJob(ms?: number): Promise<void>;
  /** True once the response body has ended (server close, or our own close). */
  readonly ended: boolean;
  /** Disconnect, as a client that goes away. */
  close(): void;
}

async function openStream(url: string, headers: Record<string, string>): Promise<TakeStream> {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  const format = formatOf(response.headers.get("content-type"));
  const frames: Frame[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };

  if (response.ok && response.body) {
    const reader = response.body.getReader();
    const parse = frameParser(format);
    void (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          frames.push(...parse(value));
          notify();
        }
      } catch {
        // An abort on close, or the server going away: both end the stream.
      } finally {
        ended = true;
        notify();
      }
    })();
  }

  const stream: TakeStream = {
    response,
    format,
    get ended() {
      return ended;
    },
    async next(timeoutMs = 2000) {
      const deadline = Date.now() + timeoutMs;
      while (frames.length === 0 && !ended) {
        const left = deadline - Date.now();
        if (left <= 0) return null;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, left);
        });
      }
      return frames.shift() ?? null;
    },
    async nextJob(timeoutMs = 2000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const frame = await stream.next(Math.max(0, deadline - Date.now()));
        if (!frame) throw new Error(`no job on the take stream within ${timeoutMs} ms`);
        if (frame.kind === "job") return frame.job;
      }
    },
    async jobs(n, timeoutMs = 2000) {
      const jobs = [];
      for (let i = 0; i < n; i++) jobs.push(await stream.nextJob(timeoutMs));
      return jobs;
    },
    async expectNoJob(ms = 150) {
      const deadline = Date.now() + ms;
      for (;;) {
        const left = deadline - Date.now();
        if (left <= 0) return;
        const frame = await stream.next(left);
        if (frame?.kind === "job") throw new Error(`unexpected job ${frame.job.id} on the take stream`);
        if (!frame) return;
      }
    },
    close() {
      abort.abort();
    },
  };
  return stream;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/**
 * `value` is a server timestamp taken between `before` and `after` (client clock). A real
 * server's clock may drift from ours, so it gets a tolerance.
 */
export function expectBetween(t: Target, value: unknown, before: number, after: number): void {
  const slack = t.remote ? 5000 : 0;
  expect(value).toBeTypeOf("number");
  expect(value as number).toBeGreaterThanOrEqual(before - slack);
  expect(value as number).toBeLessThanOrEqual(after + slack);
}
