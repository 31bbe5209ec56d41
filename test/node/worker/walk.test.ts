/**
 * The Worker walk in Node, in both wire formats, against the in-process test server: the same
 * walk Bun, Deno and workerd run (test/support/worker-walk.ts), a test per step.
 */
import assert from "node:assert/strict";
import { afterAll, beforeAll, describe, test } from "vitest";
import { registerWalk } from "../../support/walk.ts";
import { workerWalk } from "../../support/worker-walk.ts";

for (const format of ["json", "msgpack"] as const) {
  registerWalk({ describe, test, beforeAll, afterAll }, `Worker walk in Node (${format})`, workerWalk(format), assert);
}
