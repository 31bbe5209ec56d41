/**
 * Bun adapter: serve a fetch-style app with `Bun.serve`, run a Worker until a process signal, and
 * a `fetch` that speaks TLS and mutual TLS through Bun's own `tls` fetch option.
 *
 * @module zizq-edge/bun
 */
import { type RunWorkerOptions, runUntilSignalled } from "../src/worker/signals.ts";
import type { Worker } from "../src/worker/worker.ts";
import { type FetchApp, type ServeOptions, type ServerHandle, serverUrl } from "../src/adapter/serve.ts";

export type { FetchApp, RunWorkerOptions, ServeOptions, ServerHandle };

/** The part of Bun's API this adapter uses (typed here so the package needs no bun-types). */
interface BunServer {
  port: number;
  stop(closeActiveConnections?: boolean): Promise<void>;
}
declare const Bun: {
  serve(options: { port: number; hostname: string; fetch(request: Request): Response | Promise<Response> }): BunServer;
};
/** Bun has Node's `process`; only these members are used. */
declare const process: {
  on(signal: string, listener: () => void): unknown;
  off(signal: string, listener: () => void): unknown;
  exitCode?: number | string | undefined;
};

/** Serves a fetch-style app (the test server, a push endpoint, a Hono app) with `Bun.serve`; `port` 0 picks a free one. */
export async function serve(app: FetchApp, options: ServeOptions = {}): Promise<ServerHandle> {
  const hostname = options.hostname ?? "127.0.0.1";
  const server = Bun.serve({ port: options.port ?? 0, hostname, fetch: (request) => app.fetch(request) });
  let closing: Promise<void> | undefined;
  // Take streams never end on their own: close active connections rather than wait for them.
  const close = () => (closing ??= server.stop(true));
  if (options.signal?.aborted) await close();
  else options.signal?.addEventListener("abort", () => void close(), { once: true });
  return { url: serverUrl(hostname, server.port), port: server.port, hostname, close };
}

/**
 * Runs `worker` until SIGINT or SIGTERM (or `options.signals`): the first stops it gracefully, a
 * second at once. Sets `process.exitCode` (0 after a graceful stop, 1 after a forced one or a
 * failure) and resolves with it.
 */
export async function runWorker(worker: Worker, options: RunWorkerOptions = {}): Promise<number> {
  const code = await runUntilSignalled(worker, process, options);
  process.exitCode = code;
  return code;
}

/** PEM text (a string) or its bytes; several CA certificates may be given as an array. */
export type TlsPem = string | Uint8Array | readonly (string | Uint8Array)[];

/** TLS settings of `bunFetch`, passed as Bun's `tls` fetch option. */
export interface BunTlsOptions {
  /** CA certificates to trust for the server, instead of the system's. */
  ca?: TlsPem;
  /** Client certificate chain, for mutual TLS (with `key`). */
  cert?: TlsPem;
  /** The client certificate's private key. */
  key?: TlsPem;
  /** Default true. `false` accepts any server certificate: for local experiments only. */
  rejectUnauthorized?: boolean;
}

/**
 * A `fetch` for `new Client({ url: "https://…", fetch: bunFetch({ ca, cert, key }) })`: every
 * request carries Bun's `tls` option, so the client verifies the server against `ca` and, with
 * `cert` and `key`, presents a client certificate (Zizq's mutual TLS).
 */
export function bunFetch(options: BunTlsOptions = {}): typeof fetch {
  const tls: Record<string, unknown> = {};
  for (const name of ["ca", "cert", "key", "rejectUnauthorized"] as const) {
    if (options[name] !== undefined) tls[name] = options[name];
  }
  return ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, { ...init, tls } as RequestInit)) as typeof fetch;
}
