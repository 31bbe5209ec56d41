/**
 * Unique keys hashed the way the official Rust client hashes them (`UniqueKey::hash_of`,
 * `#[zizq(unique(only = [..]))]`): SHA-256 over a canonical JSON text, as lowercase hex.
 * The canonical form is specified in docs/unique-keys.md; the vectors in
 * test/fixtures/unique-key-vectors.json were computed by serde_json itself.
 */
import { ZizqArgumentError } from "./errors/argument-error.ts";

/** Which parts of the payload a unique key hashes, and what it is prefixed with. */
export interface UniqueKeyOptions {
  /** Paths to keep (jq-like: ".a.b", ".a[0]", '.["dotted.key"]', "." for all) — exactly the Rust semantics. */
  only?: readonly string[];
  /** Paths to remove, applied in order (Rust semantics, indices shift). */
  except?: readonly string[];
  /** Text put before the hash as `<prefix>:`; false or undefined for the bare hex. */
  prefix?: string | false;
}

/** One step of a path: a string is an object key, a number an array index. */
type Step = string | number;
type Selection = { kind: "only" | "except"; paths: Step[][] } | undefined;

/** Raised deep in the writer; the containers on the way out add their segment of the path. */
class Unhashable extends Error {
  readonly path: Step[] = [];
}

// serde_json escapes exactly `"`, `\` and U+0000..U+001F (short forms where JSON has one).
const ESCAPES: string[] = [];
for (let code = 0; code < 0x20; code++) ESCAPES[code] = `\\u00${code.toString(16).padStart(2, "0")}`;
Object.assign(ESCAPES, { 0x08: "\\b", 0x09: "\\t", 0x0a: "\\n", 0x0c: "\\f", 0x0d: "\\r", 0x22: '\\"', 0x5c: "\\\\" });

function writeString(text: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c) {
      out += text.slice(from, i) + ESCAPES[code];
      from = i + 1;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      // A Rust String cannot hold a lone surrogate, so no Rust client could hash this text.
      const next = text.charCodeAt(i + 1);
      if (code > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) {
        throw new Unhashable(`a string with a lone surrogate (U+${code.toString(16).toUpperCase()}) is not valid Unicode`);
      }
      i++;
    }
  }
  return `${out}${text.slice(from)}"`;
}

/** Code point (= UTF-8 byte) order, which is Rust's `String` order; plain `<` is UTF-16 order. */
function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only a surrogate (a code point above U+FFFF) against U+E000..U+FFFF sorts differently.
    if (x >= 0xd800 && y >= 0xd800) return (x >= 0xe000 ? x - 0x800 : x + 0x2000) - (y >= 0xe000 ? y - 0x800 : y + 0x2000);
    return x - y;
  }
  return a.length - b.length;
}

/**
 * A number as serde_json writes the `Value` it parses from `JSON.stringify(n)`: integer text that
 * fits u64 (or i64 when negative) stays as it is, anything else is an f64 written by ryu.
 */
function writeNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Unhashable(`${n} is not a JSON number`);
  // Past these bounds JSON.stringify's digits no longer fit u64/i64 (2**64 and -(2**63) included).
  if (Number.isInteger(n) && n > -9223372036854775808 && n < 18446744073709551616) return String(n);
  // The shortest round-trip digits, laid out as ryu does. Integral values of magnitude below 1e16
  // were written above, so ryu's "123.0" layout cannot occur here.
  const [mantissa = "", exponent = ""] = Math.abs(n).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const point = Number(exponent) + 1;
  const sign = n < 0 ? "-" : "";
  if (point > 0 && point <= 16) return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  if (point > -5 && point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  const fraction = digits.length > 1 ? `.${digits.slice(1)}` : "";
  return `${sign}${digits[0]}${fraction}e${point - 1}`;
}

/** JSON.stringify's first steps on a value: `toJSON(key)`, then boxed primitives unboxed. */
function unwrap(value: unknown, key: string | number): unknown {
  if (typeof value !== "object" || value === null) return value;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  const json: unknown = typeof toJSON === "function" ? toJSON.call(value, String(key)) : value;
  return json instanceof Number || json instanceof String || json instanceof Boolean ? json.valueOf() : json;
}

/** Writes a value already passed through `unwrap`. */
function write(value: unknown, ancestors: Set<object>): string {
  switch (typeof value) {
    case "string":
      return writeString(value);
    case "number":
      return writeNumber(value);
    case "boolean":
      return value ? "true" : "false";
    case "object":
      break;
    default:
      throw new Unhashable(`${value === undefined ? "undefined" : `a ${typeof value}`} is not a JSON value`);
  }
  if (value === null) return "null";
  if (ancestors.has(value)) throw new Unhashable("the value contains itself (a cycle)");
  ancestors.add(value);
  let at: Step = 0;
  let out: string;
  try {
    if (Array.isArray(value)) {
      out = "[";
      for (; at < value.length; at++) out += (at > 0 ? "," : "") + write(unwrap(value[at], at), ancestors);
      out += "]";
    } else {
      out = "{";
      const record = value as Record<string, unknown>;
      for (at of Object.keys(record).sort(compareKeys)) {
        const member = unwrap(record[at], at);
        // JSON.stringify and the msgpack encoder both drop undefined members; so does the key.
        if (member === undefined) continue;
        out += `${out.length > 1 ? "," : ""}${writeString(at)}:${write(member, ancestors)}`;
      }
      out += "}";
    }
  } catch (error) {
    if (error instanceof Unhashable) error.path.unshift(at);
    throw error;
  }
  ancestors.delete(value);
  return out;
}

function describePath(path: readonly Step[]): string {
  return path
    .map((step) => (typeof step === "number" ? `[${step}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`))
    .join("");
}

/**
 * The exact text the Rust client hashes for `value`: keys sorted by code point, no whitespace,
 * serde_json's string escapes and number layout. Throws `ZizqArgumentError` for what JSON (or a
 * Rust `String`) cannot carry: undefined outside an object member, functions, symbols, BigInt,
 * NaN, ±Infinity, lone surrogates and cycles.
 */
export function canonicalJson(value: unknown): string {
  try {
    return write(unwrap(value, ""), new Set());
  } catch (error) {
    if (!(error instanceof Unhashable)) throw error;
    throw new ZizqArgumentError(`payload${describePath(error.path)}`, error.message);
  }
}

/** Rust's compile-time path grammar: `.`, `.name`, `[0]`, `["any key"]`; extra dots are skipped. */
function parsePath(path: unknown, field: string): Step[] {
  const fail = (why: string): never => {
    throw new ZizqArgumentError(field, `${why} in path ${JSON.stringify(path)}`);
  };
  if (typeof path !== "string") throw new ZizqArgumentError(field, `expected a path string, got ${typeof path}`);
  if (path[0] !== ".") fail("expected a leading '.'");
  const steps: Step[] = [];
  let i = 1;
  while (i < path.length) {
    const char = path[i] as string;
    if (char === ".") {
      i++;
    } else if (char === "[" && path[i + 1] === '"') {
      let name = "";
      for (i += 2; i < path.length && path[i] !== '"'; i++) {
        // A backslash makes the next character literal (`\"` is a quote, `\n` is "n").
        if (path[i] === "\\" && i + 1 < path.length) i++;
        name += path[i];
      }
      if (path[i + 1] !== "]") fail("expected '\"]' to close a quoted key");
      steps.push(name);
      i += 2;
    } else if (char === "[") {
      const close = path.indexOf("]", i);
      const digits = close < 0 ? "" : path.slice(i + 1, close);
      if (!/^[0-9]+$/.test(digits) || !Number.isSafeInteger(Number(digits))) fail("expected an array index such as [0]");
      steps.push(Number(digits));
      i = close + 1;
    } else if (/[A-Za-z_]/.test(char)) {
      const start = i;
      while (i < path.length && /[A-Za-z0-9_]/.test(path[i] as string)) i++;
      steps.push(path.slice(start, i));
    } else {
      fail(`unexpected ${JSON.stringify(char)} at offset ${i}`);
    }
  }
  return steps;
}

function parseSelection(options: UniqueKeyOptions): Selection {
  if (options.only !== undefined && options.except !== undefined) {
    throw new ZizqArgumentError("only", "give only or except, not both");
  }
  const kind = options.only !== undefined ? "only" : options.except !== undefined ? "except" : undefined;
  if (!kind) return undefined;
  const list = options[kind];
  if (!Array.isArray(list)) throw new ZizqArgumentError(kind, "expected an array of path strings");
  return { kind, paths: list.map((path, index) => parsePath(path, `${kind}[${index}]`)) };
}

function checkPrefix(prefix: unknown): void {
  if (prefix !== undefined && prefix !== false && (typeof prefix !== "string" || prefix === "")) {
    throw new ZizqArgumentError("prefix", `expected a non-empty string or false, got ${JSON.stringify(prefix)}`);
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: Json | undefined): value is { [key: string]: Json } =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The child at one step, or undefined when the key is absent, the index past the end or the shape wrong. */
function child(value: Json | undefined, step: Step): Json | undefined {
  if (typeof step === "number") return Array.isArray(value) ? value[step] : undefined;
  return isObject(value) && Object.hasOwn(value, step) ? value[step] : undefined;
}

/** jq_path::pick: rebuild the picked values at their original nesting; `.` anywhere returns all. */
function pick(source: Json, paths: readonly Step[][]): Json {
  let target: Json = null;
  for (const path of paths) {
    if (path.length === 0) return source;
    let picked: Json | undefined = source;
    for (const step of path) picked = child(picked, step);
    if (picked === undefined) continue;
    target ??= container(path[0] as Step);
    setPath(target, path, picked);
  }
  return target ?? {};
}

// Fresh objects without a prototype, so that keys such as "__proto__" stay ordinary keys.
const container = (next: Step): Json => (typeof next === "number" ? [] : (Object.create(null) as Json));

/** jq_path::set_path: creates `{}`/`[]` on the way, pads arrays with null, gives up on a shape clash. */
function setPath(target: Json, path: readonly Step[], value: Json): void {
  let at = target;
  for (let i = 0; i < path.length; i++) {
    const step = path[i] as Step;
    const last = i === path.length - 1;
    if (typeof step === "number") {
      if (!Array.isArray(at)) return;
      while (at.length <= step) at.push(null);
      if (last) at[step] = value;
      else if (at[step] === null) at[step] = container(path[i + 1] as Step);
      at = at[step] as Json;
    } else {
      if (!isObject(at)) return;
      if (last) at[step] = value;
      else if (!Object.hasOwn(at, step)) at[step] = container(path[i + 1] as Step);
      at = at[step] as Json;
    }
  }
}

/** jq_path::remove: deletes one path in place (indices after it shift); misses are no-ops. */
function remove(root: Json, path: readonly Step[]): Json {
  if (path.length === 0) return null;
  let parent: Json | undefined = root;
  for (let i = 0; i < path.length - 1; i++) parent = child(parent, path[i] as Step);
  const step = path[path.length - 1] as Step;
  if (typeof step === "number") {
    if (Array.isArray(parent) && step < parent.length) parent.splice(step, 1);
  } else if (isObject(parent)) {
    delete parent[step];
  }
  return root;
}

function hashable(payload: unknown, selection: Selection): string {
  const text = canonicalJson(payload);
  if (!selection) return text;
  // Selection works on the canonical value itself, a private copy that numbers survive exactly.
  const value = JSON.parse(text) as Json;
  if (selection.kind === "only") return canonicalJson(pick(value, selection.paths));
  return canonicalJson(selection.paths.reduce(remove, value));
}

const encoder = new TextEncoder();

async function digest(text: string, prefix: string | false | undefined): Promise<string> {
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
    checkPrefix(options.prefix);
    return digest(hashable(payload, parseSelection(options)), options.prefix);
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
  checkPrefix(options.prefix);
  const selection = parseSelection(options);
  return async (payload, job) => digest(hashable(payload, selection), options.prefix ?? job.type);
}
