/**
 * The in-memory Zizq server for tests and local development.
 *
 * @module zizq-edge/testing
 */
import { loadWithPeers } from "../utils/optional-peers.ts";
import type { TestServer, TestServerOptions } from "./types.ts";
import { type TestClient, testClient, type TestClientOptions } from "./kit/test-client.ts";

export type { Backoff, ConnectionInfo, License, TestServer, TestServerOptions } from "./types.ts";
export type { JqThread, JqThreadFactory } from "./payload-filter.ts";
export type { TestClient, TestClientOptions } from "./kit/test-client.ts";
export { assertEnqueued, assertNotEnqueued } from "./kit/assert.ts";
export { ZizqAssertionError } from "./kit/assertion-error.ts";
export { perform, type PerformedJob, type PerformOptions, type PerformSummary } from "./kit/perform.ts";
export { type CountFilter, counts, enqueued, lastError, type Recorder } from "./kit/recorded.ts";

/** The test server's own dependencies: optional peers of zizq-edge, so producers never install them. */
const peers = {
  user: "createTestServer",
  packages: ["hono", "jq-web", "croner", "scru128", "@msgpack/msgpack"],
  install: "npm install -D hono jq-web croner scru128 @msgpack/msgpack",
};

const server: typeof import("./server.ts") = await loadWithPeers(peers, () => import("./server.ts"));

/**
 * An in-memory Zizq server (0.7 by default, 0.6.1 on request): every endpoint, status and error text of the real one,
 * served in-process through `fetch` or on a port through an adapter's `serve`.
 */
export const createTestServer: (options?: TestServerOptions) => TestServer = server.createTestServer;

/**
 * A `Client` wired in-process to a fresh in-memory server that records every job, with a clock
 * that moves only on `advance`: assertions, `perform` and `reset` for testing code that enqueues
 * and handles jobs, in any runtime and test runner.
 *
 * @example
 * ```ts
 * const zizq = createTestClient();
 * await signUp(zizq.client, "a@example.com"); // the code under test enqueues
 * zizq.assertEnqueued(SendEmail, { to: "a@example.com" });
 * await zizq.perform(router);
 * ```
 */
export const createTestClient = (options?: TestClientOptions): TestClient => testClient(server.createTestServer, options);
