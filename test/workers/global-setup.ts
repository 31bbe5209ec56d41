/** Runs in Node before the workers project: a test server on loopback for Workers to call. */
import type { TestProject } from "vitest/node";
import { serve } from "../../adapters/node.ts";
import { createTestServer } from "../../src/testing/index.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = createTestServer();
  const handle = await serve(server);
  project.provide("zizqUrl", handle.url);
  return async () => {
    server.close();
    await handle.close();
  };
}
