/**
 * Unique keys hashed the way the official Rust client hashes them (`UniqueKey::hash_of`,
 * `#[zizq(unique(only = [..]))]`): SHA-256 over a canonical JSON text, as lowercase hex.
 * The canonical form is specified in docs/unique-keys.md; the vectors in
 * test/fixtures/unique-key-vectors.json were computed by serde_json itself. With
 * `hasher: "node"`, the official Node client's text instead (node-json.ts).
 */
import { ZizqArgumentError } from "../errors/argument-error.ts";
import { checkOneOf } from "../utils/arguments.ts";
import { canonicalJson } from "./canonical-json.ts";
import { HOLE, nodeJson } from "./node-json.ts";
import { type Json, parseSelection, pick, remove, type Selection } from "./path.ts";

/** Whose keys to reproduce: the Rust client's (the default) or the Node client's. */
export type Hasher = "rust" | "node";

/** Which parts of the payload a unique key hashes, and what it is prefixed with. */
export interface UniqueKeyOptions {
  /**
   * Paths to keep (jq-like: ".a.b", ".a[0]", '.["dotted.key"]', "." for all) — exactly the Rust semantics.
   * @default the whole payload
   */
  only?: readonly string[];
  /**
   * Paths to remove, applied in order (Rust semantics, indices shift).
   * @default none
   */
  except?: readonly string[];
  /**
   * Text put before the hash as `<prefix>:`; false or undefined for the bare hex.
   * @default false (the bare hex)
   */
  prefix?: string | false;
  /**
   * Whose keys to reproduce. `"node"` gives the official Node client's (`payloadHasher`), for a
   * deployment whose producers of this job type include Node ones; see docs/unique-keys.md.
   * @default "rust" (the Rust client's keys)
   */
  hasher?: Hasher;
}

function checkPrefix(prefix: unknown): void {
  if (prefix !== undefined && prefix !== false && (typeof prefix !== "string" || prefix === "")) {
    throw new ZizqArgumentError("prefix", `expected a non-empty string or false, got ${JSON.stringify(prefix)}`);
  }
}

function checkOptions(options: UniqueKeyOptions): Selection {
  checkPrefix(options.prefix);
  checkOneOf("hasher", options.hasher, ["rust", "node"]);
  return parseSelection(options);
}

/** The text to hash; the payload is checked (canonicalJson's rules) whichever hasher writes it. */
export function hashable(payload: unknown, selection: Selection, hasher: Hasher = "rust"): string {
  const text = canonicalJson(payload);
  if (!selection && hasher === "rust") return text;
  // Selection works on the canonical value itself, a private copy that numbers survive exactly.
  const value = JSON.parse(text) as Json;
  const write = hasher === "node" ? nodeJson : canonicalJson;
  if (!selection) return write(value);
  if (selection.kind === "only") return write(pick(value, selection.paths, hasher === "node" ? HOLE : null));
  return write(selection.paths.reduce(remove, value));
}

const encoder = new TextEncoder();

export async function digest(text: string, prefix: string | false | undefined): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return prefix ? `${prefix}:${hex}` : hex;
}

/**
 * The Rust client's key for `payload`: SHA-256 of its canonical JSON (after `only`/`except`), as
 * lowercase hex, after `<prefix>:` when a prefix is given.
 */
export function uniqueKey(payload: unknown, options: UniqueKeyOptions = {}): Promise<string> {
  try {
    return digest(hashable(payload, checkOptions(options), options.hasher), options.prefix);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * A unique-key function for `defineJob({ unique: { key: hashedKey({ only: [".userId"] }) } })`.
 * Like the Rust derive, the key starts with `<job type>:` unless `prefix` says otherwise
 * (`false` for the bare hex). Paths are checked here, once, when the job type is defined.
 */
export function hashedKey(options: UniqueKeyOptions = {}): (payload: unknown, job: { type: string }) => Promise<string> {
  const selection = checkOptions(options);
  return async (payload, job) => digest(hashable(payload, selection, options.hasher), options.prefix ?? job.type);
}
