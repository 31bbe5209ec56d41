/**
 * Runs in Node before the workers project: a test server on loopback for Workers to call. Besides
 * Zizq's own endpoints it answers `GET /__test/connections` (the open take streams and the jobs
 * each holds, `server.connections()`), so a test inside workerd can check that a Worker stopped
 * with nothing left in flight.
 */
import type { TestProject } from "vitest/node";
import { serve } from "../../adapters/node.ts";
import { createTestServer } from "../../src/testing/index.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = createTestServer();
  const handle = await serve({
    fetch: (request) =>
      new URL(request.url).pathname === "/__test/connections" ? Response.json(server.connections()) : server.fetch(request),
  });
  project.provide("zizqUrl", handle.url);
  return async () => {
    server.close();
    await handle.close();
  };
}
