/** Bun adapter: serve a fetch-style app with `Bun.serve`. */
import { type FetchApp, type ServeOptions, type ServerHandle, serverUrl } from "../src/serving.ts";

export type { FetchApp, ServeOptions, ServerHandle };

/** The part of Bun's API this adapter uses (typed here so the package needs no bun-types). */
interface BunServer {
  port: number;
  stop(closeActiveConnections?: boolean): Promise<void>;
}
declare const Bun: {
  serve(options: { port: number; hostname: string; fetch(request: Request): Response | Promise<Response> }): BunServer;
};

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
