/**
 * A loopback `node:http` server whose every request goes to `route` with its whole body: for
 * adapter tests that shape each answer by hand (statuses, headers, stalls, cut connections).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { afterAll, afterEach, beforeAll } from "vitest";
import type { AddressInfo, Socket } from "node:net";

export type Route = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export interface RouteServer {
  url: string;
  /** Destroys the open connections, then closes the server. */
  close(): Promise<void>;
}

export async function routeServer(route: Route): Promise<RouteServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => route(req, res, Buffer.concat(chunks)));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * One route server for a test file, opened before its tests and closed after them; `route`
 * answers every request (set it in each test) and goes back to a 500 after each.
 */
export function routeServerPerFile(): { url: string; route: Route } {
  const state = { url: "", route: unanswered };
  let server: RouteServer | undefined;
  beforeAll(async () => {
    server = await routeServer((req, res, body) => state.route(req, res, body));
    state.url = server.url;
  });
  afterEach(() => {
    state.route = unanswered;
  });
  afterAll(() => server?.close());
  return state;
}

const unanswered: Route = (_req, res) => void res.writeHead(500).end();
