/** Bun's fetch with `redirect: "manual"` hands back the 3xx: the Client refuses it and follows nothing. */
import { expect, test } from "bun:test";
import { serve } from "../../adapters/bun.ts";
import { redirectWalk } from "../support/redirect-walk.ts";

test("a 307 is a ZizqRedirectError for a POST with a body and for the take; nothing reaches the target", async () => {
  await redirectWalk(serve, {
    ok: (value, message) => expect(value, message).toBeTruthy(),
    equal: (actual, expected, message) => expect(actual, message).toBe(expected),
    deepEqual: (actual, expected, message) => expect(actual, message).toEqual(expected),
  });
});
