import { expect, test } from "bun:test";
import { serve } from "../../adapters/bun.ts";
import { serveWalk } from "../support/serve-walk.ts";

test("adapters/bun serve: the test server over a real socket, disconnect requeue, close()", async () => {
  await serveWalk(serve, {
    ok: (value, message) => expect(value, message).toBeTruthy(),
    equal: (actual, expected, message) => expect(actual, message).toBe(expected),
    deepEqual: (actual, expected, message) => expect(actual, message).toEqual(expected),
  });
});
