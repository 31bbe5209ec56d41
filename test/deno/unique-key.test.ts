/** The unique-key vectors in Deno, hashed with Deno's Web Crypto. */
import assert from "node:assert/strict";
import vectors from "../fixtures/unique-key-vectors.json" with { type: "json" };
import { checkVectors, type UniqueKeyVector } from "../support/unique-key-check.ts";

Deno.test("unique keys match the serde_json vectors in Deno", async () => {
  assert.equal(await checkVectors(vectors as UniqueKeyVector[], assert), 38);
});
