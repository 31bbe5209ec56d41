export { createTestServer } from "./server.ts";
export type { BackoffConfig, ConnectionInfo, License, TestServer, TestServerOptions } from "./types.ts";
