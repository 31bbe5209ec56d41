import assert from "node:assert/strict";
import { serve } from "../../adapters/deno.ts";
import { serveWalk } from "../support/serve-walk.ts";

Deno.test("adapters/deno serve: the test server over a real socket, disconnect requeue, close()", async () => {
  await serveWalk(serve, assert);
});
