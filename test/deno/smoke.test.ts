/** The smoke walk in Deno: the test server in-process through `server.fetch`, no sockets. */
import assert from "node:assert/strict";
import { createTestServer } from "../../src/testing/index.ts";
import { smokeWalk } from "../support/smoke-walk.ts";

Deno.test("test server runs the smoke walk in Deno through server.fetch", async () => {
  const server = createTestServer();
  try {
    const result = await smokeWalk(server.fetch, assert);
    assert.equal(result.bulkIds.length, 20);
    assert.equal(result.requeued.attempts, 0);
    assert.deepEqual(server.connections(), []);
  } finally {
    server.close();
  }
});
