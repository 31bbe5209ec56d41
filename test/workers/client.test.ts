/**
 * The Client walk inside workerd, in both wire formats. The test server runs in the test's own
 * isolate, called through `server.fetch` (take streams cannot cross requests in workerd; see
 * worker.ts).
 */
import { describe, expect, it } from "vitest";
import { type ClientWalkAssert, clientWalk } from "../support/client-walk.ts";

const assert: ClientWalkAssert = {
  ok: (value, message) => expect(value, message).toBeTruthy(),
  equal: (actual, expected, message) => expect(actual, message).toBe(expected),
  deepEqual: (actual, expected, message) => expect(actual, message).toEqual(expected),
};

describe("Client in workerd", () => {
  it.each(["json", "msgpack"] as const)("runs the client walk in-process (%s)", async (format) => {
    const result = await clientWalk(format, assert);
    expect(result.enqueued).toBe(4);
    expect(result.requests).toContain("POST /jobs/bulk");
    expect(result.requests).toContain("POST /jobs/success");
  });
});
