/**
 * The smoke walk inside workerd: the test server runs in the test's own isolate, called through
 * `server.fetch`; no sockets, no Node APIs (this project runs without `nodejs_compat`).
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type SmokeAssert, smokeTestServer } from "../support/smoke-walk.ts";

const assert: SmokeAssert = {
  ok: (value, message) => expect(value, message).toBeTruthy(),
  equal: (actual, expected, message) => expect(actual, message).toBe(expected),
  deepEqual: (actual, expected, message) => expect(actual, message).toEqual(expected),
};

describe("test server in workerd", () => {
  it("runs the smoke walk in-process through server.fetch", () => smokeTestServer(assert));

  it("is served by the Worker module (exports.default.fetch)", async () => {
    const res = await exports.default.fetch("http://zizq.test/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    const version = await exports.default.fetch("http://zizq.test/version");
    expect(await version.json()).toEqual({ version: "0.7.0" });
  });
});
