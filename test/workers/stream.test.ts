/** The take-stream decoders inside workerd (the walk is shared with Bun and Deno). */
import { expect, it } from "vitest";
import { streamWalk, type WalkAssert } from "../node/stream/walk.ts";

const assert: WalkAssert = {
  ok: (value, message) => expect(value, message).toBeTruthy(),
  equal: (actual, expected, message) => expect(actual, message).toBe(expected),
  deepEqual: (actual, expected, message) => expect(actual, message).toEqual(expected),
};

it("take-stream decoders decode every framing and a test-server take in workerd", () => streamWalk(assert));
