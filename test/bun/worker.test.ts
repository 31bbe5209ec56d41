/** The Worker walk in Bun, in both wire formats, against the in-process test server (test/support/worker-walk.ts). */
import { test } from "bun:test";
import assert from "node:assert/strict";
import { WORKER_WALK_STEPS, workerWalk } from "../support/worker-walk.ts";

for (const format of ["json", "msgpack"] as const) {
  test(
    `Worker walk in Bun (${format})`,
    async () => {
      const result = await workerWalk(format, assert);
      assert.deepEqual(result.steps, [...WORKER_WALK_STEPS]);
      assert.equal(result.drained, 210);
    },
    // Bun's default is 5 s; the walk's own waits are bounded at 10 s each.
    30_000,
  );
}
