/** The unique-key vectors inside workerd, hashed with its Web Crypto. */
import { describe, expect, it } from "vitest";
import vectors from "../fixtures/unique-key-vectors.json" with { type: "json" };
import { checkVector, type UniqueKeyVector } from "../support/unique-key-check.ts";
import { vitestAssert } from "../support/vitest-assert.ts";

const all = vectors as UniqueKeyVector[];

describe("unique keys match the serde_json vectors in workerd", () => {
  it("all 38 of them", () => expect(all.length).toBe(38));
  it.for(all.map((vector) => [vector.name, vector] as const))("%s", ([, vector]) => checkVector(vector, vitestAssert));
});
