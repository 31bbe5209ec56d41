/**
 * Deno adapter: serve a fetch-style app with `Deno.serve`, run a Worker until a process signal
 * (`Deno.addSignalListener`), and a `fetch` that speaks TLS and mutual TLS through an HTTP
 * client from `Deno.createHttpClient`.
 *
 * @module zizq-edge/deno
 */
import { ZizqArgumentError } from "../src/errors/argument-error.ts";
import { type FetchApp, type ServeOptions, type ServerHandle, serverUrl } from "../src/adapter/serve.ts";
import { type RunWorkerOptions, runUntilSignalled } from "../src/worker/signals.ts";
import type { Worker } from "../src/worker/worker.ts";

export type { FetchApp, RunWorkerOptions, ServeOptions, ServerHandle };

/** The part of Deno's API this adapter uses (typed here so the package needs no Deno types). */
interface DenoServer {
  finished: Promise<void>;
}
interface DenoHttpClient {
  close(): void;
}
declare const Deno: {
  serve(
    options: {
      port: number;
      hostname: string;
      signal: AbortSignal;
      onListen(address: { port: number; hostname: string }): void;
    },
    handler: (request: Request) => Response | Promise<Response>,
  ): DenoServer;
  addSignalListener(signal: string, handler: () => void): void;
  removeSignalListener(signal: string, handler: () => void): void;
  exitCode: number;
  build: { os: string };
  createHttpClient(options: { caCerts?: string[]; cert?: string; key?: string }): DenoHttpClient;
};

/** Serves a fetch-style app (the test server, a push endpoint, a Hono app) with `Deno.serve`; `port` 0 picks a free one. */
export function serve(app: FetchApp, options: ServeOptions = {}): Promise<ServerHandle> {
  const hostname = options.hostname ?? "127.0.0.1";
  // Deno closes every connection, streaming ones too, when the server's signal aborts.
  const stop = new AbortController();
  options.signal?.addEventListener("abort", () => stop.abort(), { once: true });
  return new Promise((resolve) => {
    const server = Deno.serve(
      {
        port: options.port ?? 0,
        hostname,
        signal: stop.signal,
        onListen: ({ port }) => {
          const close = async () => {
            stop.abort();
            await server.finished;
          };
          resolve({ url: serverUrl(hostname, port), port, hostname, close });
          if (options.signal?.aborted) stop.abort();
        },
      },
      (request) => app.fetch(request),
    );
  });
}

/**
 * Runs `worker` until SIGINT or SIGTERM (or `options.signals`): the first stops it gracefully, a
 * second at once. Sets `Deno.exitCode` (0 after a graceful stop, 1 after a forced one or a
 * failure) and resolves with it. On Windows, where Deno delivers only SIGINT and SIGBREAK, those
 * two are the default.
 */
export async function runWorker(worker: Worker, options: RunWorkerOptions = {}): Promise<number> {
  const source = {
    on: (signal: string, listener: () => void) => Deno.addSignalListener(signal, listener),
    off: (signal: string, listener: () => void) => Deno.removeSignalListener(signal, listener),
  };
  const signals = options.signals ?? (Deno.build.os === "windows" ? ["SIGINT", "SIGBREAK"] : undefined);
  const code = await runUntilSignalled(worker, source, signals ? { ...options, signals } : options);
  Deno.exitCode = code;
  return code;
}

/** TLS settings of `denoFetch`, for `Deno.createHttpClient`. */
export interface DenoTlsOptions {
  /** CA certificates (PEM) trusted for the server, in addition to the system's roots. */
  ca?: string | readonly string[];
  /** Client certificate chain (PEM), for mutual TLS; needs `key`. */
  cert?: string;
  /** The client certificate's private key (PEM). */
  key?: string;
}

/** A `fetch` bound to its own Deno HTTP client; `close()` ends the client's pooled connections. */
export type DenoFetch = typeof fetch & { close(): void };

/**
 * A `fetch` for `new Client({ url: "https://…", fetch: denoFetch({ ca, cert, key }) })`: every
 * request goes through one `Deno.createHttpClient`, which verifies the server against `ca` and,
 * with `cert` and `key`, presents a client certificate (Zizq's mutual TLS).
 */
export function denoFetch(options: DenoTlsOptions = {}): DenoFetch {
  const { ca, cert, key } = options;
  if ((cert === undefined) !== (key === undefined)) {
    throw new ZizqArgumentError(cert === undefined ? "cert" : "key", "a client certificate needs both cert and key");
  }
  const client = Deno.createHttpClient({
    ...(ca === undefined ? {} : { caCerts: typeof ca === "string" ? [ca] : [...ca] }),
    ...(cert === undefined ? {} : { cert, key }),
  });
  const fetchWithClient = (input: RequestInfo | URL, init?: RequestInit) => fetch(input, { ...init, client } as RequestInit);
  return Object.assign(fetchWithClient, { close: () => client.close() }) as DenoFetch;
}
