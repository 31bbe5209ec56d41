/** The smoke walk in Bun: the test server in-process through `server.fetch`, no sockets. */
import { expect, test } from "bun:test";
import assert from "node:assert/strict";
import { createTestServer } from "../../src/testing/index.ts";
import { smokeWalk } from "../support/smoke-walk.ts";

test("test server runs the smoke walk in Bun through server.fetch", async () => {
  const server = createTestServer();
  try {
    const result = await smokeWalk(server.fetch, assert);
    expect(result.bulkIds).toHaveLength(20);
    expect(result.requeued.attempts).toBe(0);
    expect(server.connections()).toEqual([]);
  } finally {
    server.close();
  }
});
