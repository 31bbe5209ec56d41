/** The unique-key vectors in Deno, hashed with Deno's Web Crypto. */
import assert from "node:assert/strict";
import vectors from "../fixtures/unique-key-vectors.json" with { type: "json" };
import { checkVector, type UniqueKeyVector } from "../support/unique-key-check.ts";

const all = vectors as UniqueKeyVector[];

Deno.test("unique keys match the serde_json vectors in Deno: all 38 of them", () => assert.equal(all.length, 38));
for (const vector of all) Deno.test(`unique key in Deno: ${vector.name}`, () => checkVector(vector, assert));
