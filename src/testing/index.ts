export { createTestServer } from "./server.ts";
export type { Backoff, ConnectionInfo, License, TestServer, TestServerOptions } from "./types.ts";
export type { JqThread, JqThreadFactory } from "./payload-filter.ts";
