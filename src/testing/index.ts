/**
 * The in-memory Zizq server for tests and local development.
 *
 * @module zizq-edge/testing
 */
import { loadWithPeers } from "../utils/optional-peers.ts";
import type { TestServer, TestServerOptions } from "./types.ts";

export type { Backoff, ConnectionInfo, License, TestServer, TestServerOptions } from "./types.ts";
export type { JqThread, JqThreadFactory } from "./payload-filter.ts";

/** The test server's own dependencies: optional peers of zizq-edge, so producers never install them. */
const peers = {
  user: "createTestServer",
  packages: ["hono", "jq-web", "croner", "scru128"],
  install: "npm install -D hono jq-web croner scru128",
};

const server: typeof import("./server.ts") = await loadWithPeers(peers, () => import("./server.ts"));

/**
 * An in-memory Zizq server (0.7 by default, 0.6.1 on request): every endpoint, status and error text of the real one,
 * served in-process through `fetch` or on a port through an adapter's `serve`.
 */
export const createTestServer: (options?: TestServerOptions) => TestServer = server.createTestServer;
