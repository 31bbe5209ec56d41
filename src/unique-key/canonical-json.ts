/**
 * The canonical JSON text the official Rust client hashes for unique keys: keys sorted by code
 * point, no whitespace, serde_json's escapes and number layout (specified in docs/unique-keys.md).
 */
import { ZizqArgumentError } from "../errors/argument-error.ts";
import { describePath, type Step } from "../utils/json-path.ts";

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
