/** The unique-key vectors in Bun, hashed with Bun's Web Crypto. */
import { expect, test } from "bun:test";
import assert from "node:assert/strict";
import vectors from "../fixtures/unique-key-vectors.json" with { type: "json" };
import { checkVectors, type UniqueKeyVector } from "../support/unique-key-check.ts";

test("unique keys match the serde_json vectors in Bun", async () => {
  expect(await checkVectors(vectors as UniqueKeyVector[], assert)).toBe(38);
});
