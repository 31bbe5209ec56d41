/** The Client walk in Deno, in both wire formats, against the in-process test server. */
import assert from "node:assert/strict";
import { clientWalk } from "../support/client-walk.ts";

for (const format of ["json", "msgpack"] as const) {
  Deno.test(`Client walk in Deno (${format})`, async () => {
    const result = await clientWalk(format, assert);
    assert.equal(result.enqueued, 4);
    assert.ok(result.requests.includes("POST /jobs/bulk"));
  });
}
