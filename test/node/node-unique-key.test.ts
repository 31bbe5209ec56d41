/**
 * `hasher: "node"` reproduces the official Node client's unique keys. The vectors in
 * test/fixtures/node-unique-key-vectors.json come from test/support/node-hasher-reference.ts, an
 * independent implementation of that client's published algorithm (payloadHasher in
 * zizq-labs/zizq-node), written from it step by step with node:crypto as that client hashes;
 * `npx tsx scripts/node-key-vectors.ts` writes them. src/ shares no code with the reference.
 */
import { describe, expect, it } from "vitest";
import { hashedKey, uniqueKey, ZizqArgumentError } from "../../src/index.ts";
import { hashable } from "../../src/unique-key/hash.ts";
import { parseSelection } from "../../src/unique-key/path.ts";
import vectors from "../fixtures/node-unique-key-vectors.json" with { type: "json" };
import { NODE_KEY_INPUTS, type NodeKeyVector, nodeKeyVectors } from "../support/node-key-inputs.ts";

const all = vectors as NodeKeyVector[];

describe("the Node client's vectors", () => {
  it("are what the reference computes from the inputs (the fixture has not drifted)", () => {
    expect(all).toEqual(JSON.parse(JSON.stringify(nodeKeyVectors(NODE_KEY_INPUTS))));
    expect(all.filter((vector) => vector.throws).map((vector) => vector.name)).toEqual(["only_index_leaving_hole", "only_root_index_leaving_hole"]);
  });

  it.for(all.filter((vector) => !vector.throws).map((vector) => [vector.name, vector] as const))("%s", async ([, vector]) => {
    const { only, except, type } = vector.options;
    const selection = only ? { only } : except ? { except } : {};
    expect(hashable(vector.payload, parseSelection(selection), "node")).toBe(vector.text);
    expect(await uniqueKey(vector.payload, { ...selection, prefix: type ?? false, hasher: "node" })).toBe(vector.key);
    const hashed = hashedKey({ ...selection, hasher: "node", ...(type ? {} : { prefix: false }) });
    expect(await hashed(vector.payload, { type: type ?? "ignored" })).toBe(vector.key);
  });

  it.for(all.filter((vector) => vector.throws).map((vector) => [vector.name, vector] as const))(
    "%s: where the Node client throws, a ZizqArgumentError naming only",
    async ([, vector]) => {
      const error = await uniqueKey(vector.payload, { only: vector.options.only, hasher: "node" }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ZizqArgumentError);
      expect((error as ZizqArgumentError).field).toBe("only");
    },
  );
});

describe("hasher option", () => {
  it("differs from the Rust keys (the default) for the same payload", async () => {
    const payload = { b: [1, 2], a: 1e21 };
    expect(await uniqueKey(payload)).not.toBe(await uniqueKey(payload, { hasher: "node" }));
    expect(await uniqueKey(payload)).toBe(await uniqueKey(payload, { hasher: "rust" }));
  });

  it("refuses an unknown hasher, and payloads JSON cannot carry whichever hasher", async () => {
    expect(() => hashedKey({ hasher: "python" as never })).toThrow(ZizqArgumentError);
    const error = await uniqueKey({ a: [1, Number.NaN] }, { hasher: "node" }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ field: "payload.a[1]" });
  });
});
