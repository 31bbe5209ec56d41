/**
 * The Client walk inside workerd, in both wire formats. The test server runs in the test's own
 * isolate, called through `server.fetch` (take streams cannot cross requests in workerd; see
 * worker.ts).
 */
import { afterAll, beforeAll, describe, test } from "vitest";
import { clientWalk } from "../support/client-walk.ts";
import { vitestAssert } from "../support/vitest-assert.ts";
import { registerWalk } from "../support/walk.ts";

describe("Client in workerd", () => {
  for (const format of ["json", "msgpack"] as const) {
    registerWalk({ describe, test, beforeAll, afterAll }, `runs the client walk in-process (${format})`, clientWalk(format), vitestAssert);
  }
});
