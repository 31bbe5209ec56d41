/**
 * Runs in Node before the workers project: a test server on loopback for Workers to call. Besides
 * Zizq's own endpoints it answers `GET /__test/connections` (the open take streams and the jobs
 * each holds, `server.connections()`), so a test inside workerd can check that a Worker stopped
 * with nothing left in flight; and `/__test/redirect/...` with a 307 to `/__test/landed`, which
 * counts the requests that reach it (`GET /__test/landed-count`), so a test can check that the
 * Client never follows a redirect.
 */
import type { TestProject } from "vitest/node";
import { serve } from "../../adapters/node.ts";
import { createTestServer } from "../../src/testing/index.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = createTestServer();
  let landed = 0;
  const handle = await serve({
    fetch: (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/__test/connections") return Response.json(server.connections());
      if (path.startsWith("/__test/redirect/")) return new Response(null, { status: 307, headers: { location: "/__test/landed" } });
      if (path === "/__test/landed") return Response.json({ landed: ++landed });
      if (path === "/__test/landed-count") return Response.json({ landed });
      return server.fetch(request);
    },
  });
  project.provide("zizqUrl", handle.url);
  return async () => {
    server.close();
    await handle.close();
  };
}
