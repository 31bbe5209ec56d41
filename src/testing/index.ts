/**
 * The in-memory Zizq server for tests and local development.
 *
 * @module zizq-edge/testing
 */
export { createTestServer } from "./server.ts";
export type { Backoff, ConnectionInfo, License, TestServer, TestServerOptions } from "./types.ts";
export type { JqThread, JqThreadFactory } from "./payload-filter.ts";
