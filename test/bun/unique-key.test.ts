/** The unique-key vectors in Bun, hashed with Bun's Web Crypto. */
import { describe, expect, test } from "bun:test";
import assert from "node:assert/strict";
import vectors from "../fixtures/unique-key-vectors.json" with { type: "json" };
import { checkVector, type UniqueKeyVector } from "../support/unique-key-check.ts";

const all = vectors as UniqueKeyVector[];

describe("unique keys match the serde_json vectors in Bun", () => {
  test("all 38 of them", () => expect(all.length).toBe(38));
  for (const vector of all) test(vector.name, () => checkVector(vector, assert));
});
