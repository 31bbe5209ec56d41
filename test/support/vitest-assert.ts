/** `Assert` over vitest's `expect`, for the vitest projects (workerd has no `node:assert`). */
import { expect } from "vitest";
import type { Assert } from "./assert.ts";

export const vitestAssert: Assert = {
  ok: (value, message) => expect(value, message).toBeTruthy(),
  equal: (actual, expected, message) => expect(actual, message).toBe(expected),
  notEqual: (actual, expected, message) => expect(actual, message).not.toBe(expected),
  deepEqual: (actual, expected, message) => expect(actual, message).toEqual(expected),
};
