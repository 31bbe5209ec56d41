/** Deno adapter: serve a fetch-style app with `Deno.serve`. */
import { type FetchApp, type ServeOptions, type ServerHandle, serverUrl } from "../src/serving.ts";

export type { FetchApp, ServeOptions, ServerHandle };

/** The part of Deno's API this adapter uses (typed here so the package needs no Deno types). */
interface DenoServer {
  finished: Promise<void>;
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
};

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
