/** Deno's fetch with `redirect: "manual"` hands back the 3xx: the Client refuses it and follows nothing. */
import assert from "node:assert/strict";
import { serve } from "../../adapters/deno.ts";
import { redirectWalk } from "../support/redirect-walk.ts";

Deno.test("a 307 is a ZizqRedirectError for a POST with a body and for the take; nothing reaches the target", async () => {
  await redirectWalk(serve, assert);
});
