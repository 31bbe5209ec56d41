/**
 * The smoke walk inside workerd: the test server runs in the test's own isolate, called through
 * `server.fetch`; no sockets, no Node APIs (this project runs without `nodejs_compat`).
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTestServer } from "../../src/testing/index.ts";
import { smokeWalk, type SmokeAssert } from "../support/smoke-walk.ts";

const assert: SmokeAssert = {
  ok: (value, message) => expect(value, message).toBeTruthy(),
  equal: (actual, expected, message) => expect(actual, message).toBe(expected),
  deepEqual: (actual, expected, message) => expect(actual, message).toEqual(expected),
};

describe("test server in workerd", () => {
  it("runs the smoke walk in-process through server.fetch", async () => {
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

  it("is served by the Worker module (exports.default.fetch)", async () => {
    const res = await exports.default.fetch("http://zizq.test/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    const version = await exports.default.fetch("http://zizq.test/version");
    expect(await version.json()).toEqual({ version: "0.6.1" });
  });
});
