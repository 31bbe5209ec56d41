/**
 * The smoke walk inside workerd: the test server runs in the test's own isolate, called through
 * `server.fetch`; no sockets, no Node APIs (this project runs without `nodejs_compat`).
 */
import { exports } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, test } from "vitest";
import { smokeWalk } from "../support/smoke-walk.ts";
import { vitestAssert } from "../support/vitest-assert.ts";
import { registerWalk } from "../support/walk.ts";

describe("test server in workerd", () => {
  registerWalk({ describe, test, beforeAll, afterAll }, "runs the smoke walk in-process through server.fetch", smokeWalk, vitestAssert);

  it("is served by the Worker module (exports.default.fetch)", async () => {
    const res = await exports.default.fetch("http://zizq.test/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    const version = await exports.default.fetch("http://zizq.test/version");
    expect(await version.json()).toEqual({ version: "0.7.0" });
  });
});
