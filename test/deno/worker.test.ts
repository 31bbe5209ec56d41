/** The Worker walk in Deno, in both wire formats, against the in-process test server (test/support/worker-walk.ts). */
import assert from "node:assert/strict";
import { WORKER_WALK_STEPS, workerWalk } from "../support/worker-walk.ts";

for (const format of ["json", "msgpack"] as const) {
  Deno.test(`Worker walk in Deno (${format})`, async () => {
    const result = await workerWalk(format, assert);
    assert.deepEqual(result.steps, [...WORKER_WALK_STEPS]);
    assert.equal(result.drained, 210);
  });
}
