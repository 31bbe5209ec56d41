/** The Client walk in Bun, in both wire formats, against the in-process test server. */
import { test } from "bun:test";
import assert from "node:assert/strict";
import { clientWalk } from "../support/client-walk.ts";

for (const format of ["json", "msgpack"] as const) {
  test(`Client walk in Bun (${format})`, async () => {
    const result = await clientWalk(format, assert);
    assert.equal(result.enqueued, 4);
    assert.ok(result.requests.includes("POST /jobs/bulk"));
  });
}
