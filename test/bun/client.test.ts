/** The Client walk in Bun, in both wire formats, against the in-process test server. */
import { afterAll, beforeAll, describe, test } from "bun:test";
import assert from "node:assert/strict";
import { clientWalk } from "../support/client-walk.ts";
import { registerWalk } from "../support/walk.ts";

for (const format of ["json", "msgpack"] as const) {
  registerWalk({ describe, test, beforeAll, afterAll }, `Client walk in Bun (${format})`, clientWalk(format), assert);
}
