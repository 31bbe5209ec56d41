/**
 * The Worker walk inside workerd, in both wire formats (test/support/worker-walk.ts). The test
 * server runs in the test's own isolate, called through `server.fetch`: take streams cannot
 * cross requests in workerd (see worker.ts).
 */
import { afterAll, beforeAll, describe, test } from "vitest";
import { vitestAssert } from "../support/vitest-assert.ts";
import { registerWalk } from "../support/walk.ts";
import { workerWalk } from "../support/worker-walk.ts";

describe("Worker in workerd", () => {
  for (const format of ["json", "msgpack"] as const) {
    registerWalk({ describe, test, beforeAll, afterAll }, `runs typed jobs, failures, hooks, stops and timeouts in-process (${format})`, workerWalk(format), vitestAssert);
  }
});
