/**
 * The Worker the vitest pool loads as `main`: it serves the in-memory Zizq test server, so a
 * workers test can talk to it through `exports.default.fetch` (a real request into workerd)
 * as well as in-process through `createTestServer().fetch`.
 *
 * The server is created on the first request, not at module load: workerd forbids timers and
 * random values in global scope, and the test server starts a reaper timer when created.
 *
 * Limits of one server shared by many requests of a Worker (workerd, observed with
 * vitest-pool-workers 0.15.1): plain request/response endpoints work, but take streams do not.
 * A take stream belongs to the request that opened it; waking it from another request (an
 * enqueue, an ack) throws "Cannot perform I/O on behalf of a different request" and the stream
 * never delivers. And cancelling a response body read through `exports.default.fetch` does not
 * reach the stream's `cancel`, so held jobs are not requeued. Run the take-stream walk in-process
 * (`createTestServer().fetch` inside the test), as smoke.test.ts does.
 */
import { Hono } from "hono";
import { zizqDashboard } from "../../adapters/hono.ts";
import { Client } from "../../src/client/client.ts";
import { createTestServer } from "../../src/testing/index.ts";
import type { TestServer } from "../../src/testing/types.ts";

let server: TestServer | undefined;
const serve = (request: Request): Promise<Response> => {
  server ??= createTestServer();
  return server.fetch(request);
};

// Mounted at global scope, as a Worker app does; reached through exports.default like a real request.
const dashboard = new Hono().route(
  "/admin/zizq",
  zizqDashboard({ client: new Client({ url: "http://zizq.test", fetch: (input, init) => serve(new Request(input, init)) }), authorize: () => true }),
);

export default {
  fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname.startsWith("/admin/zizq")) return Promise.resolve(dashboard.fetch(request));
    return serve(request);
  },
} satisfies ExportedHandler;
