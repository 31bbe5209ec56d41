/** The Worker walk in Bun, in both wire formats, against the in-process test server (test/support/worker-walk.ts). */
import { afterAll, beforeAll, describe, test } from "bun:test";
import assert from "node:assert/strict";
import { registerWalk } from "../support/walk.ts";
import { workerWalk } from "../support/worker-walk.ts";

for (const format of ["json", "msgpack"] as const) {
  registerWalk({ describe, test, beforeAll, afterAll }, `Worker walk in Bun (${format})`, workerWalk(format), assert);
}
