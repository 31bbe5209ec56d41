/** What every adapter's `serve` takes and returns, so a program can switch runtimes freely. */

/** Anything with a web-standard fetch handler: a Hono app, the test server, a push endpoint. */
export interface FetchApp {
  fetch(request: Request): Response | Promise<Response>;
}

/** Where `serve` listens. */
export interface ServeOptions {
  /**
   * Port to listen on; 0 is any free port (read the real one from the handle).
   * @default 0
   */
  port?: number;
  /**
   * Address to bind.
   * @default "127.0.0.1"
   */
  hostname?: string;
  /** Aborting it closes the server, as `close()` does. */
  signal?: AbortSignal;
}

/** A listening server, from `serve`. */
export interface ServerHandle {
  /** `http://hostname:port`, with the port actually bound. */
  url: string;
  port: number;
  hostname: string;
  /** Stop listening, end every open connection (long-lived streams too) and resolve when done. */
  close(): Promise<void>;
}

/** The `http://host:port` a server bound to, bracketing IPv6 hosts. */
export const serverUrl = (hostname: string, port: number) =>
  `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
