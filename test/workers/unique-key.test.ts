/** The unique-key vectors inside workerd, hashed with its Web Crypto. */
import { expect, it } from "vitest";
import vectors from "../fixtures/unique-key-vectors.json" with { type: "json" };
import { type CheckAssert, checkVectors, type UniqueKeyVector } from "../support/unique-key-check.ts";

const assert: CheckAssert = {
  equal: (actual, expected, message) => expect(actual, message).toBe(expected),
  notEqual: (actual, expected, message) => expect(actual, message).not.toBe(expected),
};

it("unique keys match the serde_json vectors in workerd", async () => {
  expect(await checkVectors(vectors as UniqueKeyVector[], assert)).toBe(38);
});
