/**
 * Shared set-up for the Client tests: a fresh in-memory Zizq, reached either in-process
 * (`server.fetch`) or over a real socket (`adapters/node.ts`), through a fetch wrapper that
 * records every request and response, so tests can count calls and check the wire format.
 */
import { decode } from "@msgpack/msgpack";
import { expect } from "vitest";
import { serve, type ServerHandle } from "../../../adapters/node.ts";
import { Client, type ClientOptions, type Format, type Job } from "../../../src/index.ts";
import { createTestServer } from "../../../src/testing/index.ts";
import type { TestServer, TestServerOptions } from "../../../src/testing/types.ts";
import { within } from "../../support/wait.ts";

export type Mode = "in-process" | "socket";

export const MODES: readonly Mode[] = ["in-process", "socket"];
export const FORMATS: readonly Format[] = ["json", "msgpack"];
/** Every transport × format pair, for `describe.each`. */
export const MATRIX = MODES.flatMap((mode) => FORMATS.map((format) => ({ mode, format })));

/** One request as the fetch wrapper saw it, and what came back. */
export interface Recorded {
  method: string;
  /** Path and query, without the origin. */
  path: string;
  contentType: string | null;
  accept: string | null;
  headers: Headers;
  /** The raw request body (empty when there was none). */
  body: Uint8Array;
  status?: number;
  responseType?: string | null;
}

/** Decodes a recorded request body by its Content-Type. */
export function requestBody(call: Recorded): unknown {
  if (call.body.length === 0) return undefined;
  if (call.contentType?.includes("application/msgpack")) return decode(call.body);
  return JSON.parse(new TextDecoder().decode(call.body));
}

export type FetchFn = typeof globalThis.fetch;

/** Wraps a fetch so every call is recorded into `calls`. */
export function recording(inner: (request: Request) => Promise<Response>, calls: Recorded[]): FetchFn {
  return async (input, init) => {
    const request = new Request(input, init);
    const body = request.body ? new Uint8Array(await request.clone().arrayBuffer()) : new Uint8Array();
    const url = new URL(request.url);
    const entry: Recorded = {
      method: request.method,
      path: url.pathname + url.search,
      contentType: request.headers.get("content-type"),
      accept: request.headers.get("accept"),
      headers: request.headers,
      body,
    };
    calls.push(entry);
    const response = await inner(request);
    entry.status = response.status;
    entry.responseType = response.headers.get("content-type");
    return response;
  };
}

export interface Setup {
  server: TestServer;
  client: Client;
  /** Every request the client sent, in order. */
  calls: Recorded[];
  url: string;
  mode: Mode;
  format: Format;
  /** A second client over the same server and transport with other options. */
  clientWith(options: Partial<ClientOptions>): Client;
  close(): Promise<void>;
}

export interface SetupOptions {
  mode?: Mode;
  format?: Format;
  server?: TestServerOptions;
  client?: Partial<ClientOptions>;
}

/** A fresh server and a recording client; call `close()` when done (see `useSetup`). */
export async function setup(options: SetupOptions = {}): Promise<Setup> {
  const mode = options.mode ?? "in-process";
  const format = options.format ?? "json";
  const server = createTestServer(options.server);
  let handle: ServerHandle | undefined;
  let url = "http://zizq.test";
  let inner: (request: Request) => Promise<Response> = (request) => server.fetch(request);
  if (mode === "socket") {
    handle = await serve(server, { port: 0 });
    url = handle.url;
    inner = (request) => globalThis.fetch(request);
  }
  const calls: Recorded[] = [];
  const fetch = recording(inner, calls);
  const clientWith = (extra: Partial<ClientOptions>) =>
    new Client({ url, fetch, format, retry: { initialDelayMs: 1, maxDelayMs: 5 }, ...options.client, ...extra });
  return {
    server,
    client: clientWith({}),
    calls,
    url,
    mode,
    format,
    clientWith,
    close: async () => {
      server.close();
      await handle?.close();
    },
  };
}

/** Reads the next job of a take stream, waiting at most `ms`. */
export async function nextJob<P = unknown>(reader: ReadableStreamDefaultReader<Job>, ms = 5_000): Promise<Job<P>> {
  const result = await within(reader.read(), "reading a take-stream frame", ms);
  if (result.done) throw new Error("the take stream ended");
  return result.value as Job<P>;
}

/** Catches what a promise rejects with (fails if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject, but it resolved");
}

/** Catches what a function throws synchronously (fails if it returns). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw, but it returned");
}

/** Every unary request went in the client's format and was answered in it (take streams aside). */
export function expectFormat(calls: readonly Recorded[], format: Format): void {
  const media = format === "msgpack" ? "application/msgpack" : "application/json";
  const unary = calls.filter((call) => !call.path.startsWith("/jobs/take"));
  expect(unary.length).toBeGreaterThan(0);
  for (const call of unary) {
    expect(call.accept, `${call.method} ${call.path} accept`).toBe(media);
    if (call.body.length > 0) expect(call.contentType, `${call.method} ${call.path} content-type`).toBe(media);
    if (call.status !== 204) expect(call.responseType, `${call.method} ${call.path} response type`).toBe(media);
  }
}
