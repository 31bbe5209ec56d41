import { BodyError } from "./negotiate.ts";

/**
 * Readers for decoded request bodies that fail the way serde does: the same "missing field",
 * "invalid type" and "invalid value" messages, so a client sees the server's words.
 */

export type Fields = Record<string, unknown>;

const MAX = { u16: 0xffff, u32: 0xffff_ffff, u64: Number.MAX_SAFE_INTEGER } as const;
export type UnsignedKind = keyof typeof MAX;

/** serde's description of an unexpected value. */
function unexpected(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  if (typeof value === "boolean") return `boolean \`${value}\``;
  if (typeof value === "number") return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``;
  return Array.isArray(value) ? "sequence" : "map";
}

const invalidType = (value: unknown, expected: string) =>
  new BodyError(`invalid type: ${unexpected(value)}, expected ${expected}`);

export function object(value: unknown, expected: string): Fields {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw invalidType(value, expected);
  return value as Fields;
}

export function array(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw invalidType(value, "a sequence");
  return value;
}

export function present(fields: Fields, key: string): unknown {
  if (!(key in fields)) throw new BodyError(`missing field \`${key}\``);
  return fields[key];
}

export function string(value: unknown): string {
  if (typeof value !== "string") throw invalidType(value, "a string");
  return value;
}

export function boolean(value: unknown): boolean {
  if (typeof value !== "boolean") throw invalidType(value, "a boolean");
  return value;
}

export function unsigned(value: unknown, kind: UnsignedKind): number {
  if (typeof value !== "number" || !Number.isInteger(value)) throw invalidType(value, kind);
  if (value < 0 || value > MAX[kind]) throw new BodyError(`invalid value: integer \`${value}\`, expected ${kind}`);
  return value;
}

export function float(value: unknown): number {
  if (typeof value !== "number") throw invalidType(value, "f32");
  return value;
}

/** An `Option<T>` field: absent and `null` both mean "not given". */
export function optional<T>(fields: Fields, key: string, read: (value: unknown) => T): T | undefined {
  const value = fields[key];
  return value === undefined || value === null ? undefined : read(value);
}

/** A merge-patch field: absent is `undefined`, `null` is `null`, else the value. */
export function nullable<T>(fields: Fields, key: string, read: (value: unknown) => T): T | null | undefined {
  if (!(key in fields)) return undefined;
  const value = fields[key];
  return value === null ? null : read(value);
}

/** A field with a serde default: absent is the default, `null` is a type error. */
export function defaulted<T>(fields: Fields, key: string, read: (value: unknown) => T, fallback: T): T {
  return key in fields ? read(fields[key]) : fallback;
}

/** serde's `deny_unknown_fields`: a key the struct does not declare is a parse error. */
export function only(fields: Fields, known: readonly string[]): Fields {
  for (const key of Object.keys(fields)) {
    if (known.includes(key)) continue;
    const names = known.map((name) => `\`${name}\``);
    const expected =
      names.length === 1 ? names[0] : names.length === 2 ? `${names[0]} or ${names[1]}` : `one of ${names.join(", ")}`;
    throw new BodyError(`unknown field \`${key}\`, expected ${expected}`);
  }
  return fields;
}

/** Drops keys whose value is `undefined`, so optional fields stay absent. */
export function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) if (value[key] === undefined) delete value[key];
  return value;
}
