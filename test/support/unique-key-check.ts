/**
 * The unique-key vectors (test/fixtures/unique-key-vectors.json, computed by serde_json itself)
 * checked with the runtime's own Web Crypto: shared by the Node, Bun, Deno and workerd tests, which
 * register a test per vector.
 */
import { canonicalJson } from "../../src/unique-key/canonical-json.ts";
import { hashedKey, uniqueKey } from "../../src/unique-key/hash.ts";
import type { Assert } from "./assert.ts";

export interface UniqueKeyVector {
  name: string;
  /** The payload as a JS value (null for `rust_only` vectors, which JS cannot express). */
  payload: unknown;
  /** The JSON text the Rust harness parsed into a serde_json `Value`. */
  payload_json: string;
  /** `type` is the prefix the Rust derive would put in front; absent means no prefix. */
  options: { type?: string; only?: string[]; except?: string[] };
  /** The exact text that was hashed (after only/except). */
  canonical: string;
  key: string;
  note?: string;
  source?: string;
  /** A Rust-side value no JS value maps to (f64 fields holding whole numbers). */
  rust_only?: boolean;
}

export async function checkVector(vector: UniqueKeyVector, assert: Assert): Promise<void> {
  const { type, only, except } = vector.options;
  const name = vector.name;
  if (vector.rust_only) {
    // The documented difference: the same JSON text read by JS loses the `.0` of whole floats.
    assert.notEqual(canonicalJson(JSON.parse(vector.payload_json)), vector.canonical, name);
    return;
  }
  if (!only && !except) {
    assert.equal(canonicalJson(vector.payload), vector.canonical, `${name}: canonical`);
    assert.equal(canonicalJson(JSON.parse(vector.payload_json)), vector.canonical, `${name}: canonical of payload_json`);
  }
  // The selected canonical text is a fixed point of the writer and hashes to the key.
  assert.equal(canonicalJson(JSON.parse(vector.canonical)), vector.canonical, `${name}: canonical is canonical`);
  assert.equal(await uniqueKey(JSON.parse(vector.canonical), { prefix: type ?? false }), vector.key, `${name}: hash of canonical`);

  const selection = only ? { only } : except ? { except } : {};
  assert.equal(await uniqueKey(vector.payload, { ...selection, prefix: type ?? false }), vector.key, `${name}: uniqueKey`);
  const hashed = hashedKey(type ? selection : { ...selection, prefix: false });
  assert.equal(await hashed(vector.payload, { type: type ?? "ignored" }), vector.key, `${name}: hashedKey`);
}
