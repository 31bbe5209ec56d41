/**
 * The Worker walk in Node, in both wire formats, against the in-process test server: the same
 * walk Bun, Deno and workerd run (test/support/worker-walk.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "vitest";
import { WORKER_WALK_STEPS, workerWalk } from "../../support/worker-walk.ts";

describe("Worker walk in Node", () => {
  it.each(["json", "msgpack"] as const)("runs typed jobs, failures, hooks, stops and timeouts (%s)", async (format) => {
    const result = await workerWalk(format, assert);
    assert.deepEqual(result.steps, [...WORKER_WALK_STEPS]);
    assert.equal(result.drained, 210);
  });
});
