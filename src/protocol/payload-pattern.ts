/**
 * Payload patterns (`JobFilter.payload`, `JobFilter.payloadContains`): their checks, and their
 * compilation to the jq of the server's `filter` parameter. The real server runs jaq and the
 * test server jq, so the jq uses only what both define alike: `type`, `has`, `.[k]`, `.[]`,
 * `==`, `and`, `select`, `length` and literals.
 */
import { ZizqArgumentError } from "../errors/argument-error.ts";
import { shown } from "../utils/arguments.ts";
import { describePath, type Step } from "../utils/json-path.ts";
import { isWellFormed } from "../utils/well-formed.ts";

/** An object written as `{...}` or made by `Object.create(null)`: what a pattern may hold. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Why `value` cannot be in a pattern, or undefined when it can; `path` ends where it fails. */
function fault(value: unknown, path: Step[], ancestors: Set<object>): string | undefined {
  switch (typeof value) {
    case "boolean":
      return undefined;
    case "string":
      return isWellFormed(value) ? undefined : "a string with a lone surrogate is not valid Unicode";
    case "number":
      return Number.isFinite(value) ? undefined : `${value} is not a JSON number`;
    case "object":
      break;
    default:
      return `${value === undefined ? "undefined" : shown(value)} is not a JSON value; leave the key out to match any value`;
  }
  if (value === null) return undefined;
  if (!Array.isArray(value) && !isPlainObject(value)) return `${shown(value)} that is not a plain object or array is not a JSON value`;
  if (ancestors.has(value)) return "the pattern contains itself (a cycle)";
  if (Object.getOwnPropertySymbols(value).length > 0) return "a symbol key is not a JSON key";
  ancestors.add(value);
  const entries: [Step, unknown][] = Array.isArray(value) ? Array.from(value, (item, index) => [index, item]) : Object.entries(value);
  for (const [step, item] of entries) {
    path.push(step);
    if (typeof step === "string" && !isWellFormed(step)) return "a key with a lone surrogate is not valid Unicode";
    const why = fault(item, path, ancestors);
    if (why !== undefined) return why;
    path.pop();
  }
  ancestors.delete(value);
  return undefined;
}

/** Throws `ZizqArgumentError` naming the path (`filter.payload.user.tags[2]`) of what JSON cannot carry. */
export function checkPattern(field: string, pattern: unknown): void {
  const path: Step[] = [];
  const why = fault(pattern, path, new Set());
  if (why !== undefined) throw new ZizqArgumentError(`${field}${describePath(path)}`, why);
}

/**
 * A checked JSON value as a jq literal. JSON's string escapes are jq's, and as a backslash is
 * always doubled no `\(` can appear. Numbers lose the exponent's `+` (`1e21`), which every jq
 * and jaq lexer reads, and a minus sign is parenthesised, being an operator in jq.
 */
function literal(value: unknown): string {
  if (typeof value === "number") {
    const text = String(value).replace("e+", "e");
    return value < 0 ? `(${text})` : text;
  }
  if (Array.isArray(value)) return `[${value.map(literal).join(",")}]`;
  if (isPlainObject(value)) return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}:${literal(item)}`).join(",")}}`;
  return JSON.stringify(value);
}

/** jq over `.` that is true when the checked pattern matches and false otherwise; it never fails. */
function matcher(pattern: unknown, contains: boolean): string {
  const all = (first: string, rest: string[]) => (rest.length === 0 ? `(${first})` : `(${first} and ${rest.join(" and ")})`);
  if (isPlainObject(pattern)) {
    return all(
      'type == "object"',
      Object.entries(pattern).map(([key, item]) => `has(${JSON.stringify(key)}) and (.[${JSON.stringify(key)}] | ${matcher(item, contains)})`),
    );
  }
  if (contains && Array.isArray(pattern)) {
    return all(
      'type == "array"',
      pattern.map((item) => `([.[] | select(${matcher(item, true)})] | length > 0)`),
    );
  }
  return `(. == ${literal(pattern)})`;
}

/** A filter's patterns and its own jq as one expression (each part parenthesised, joined by `and`), or undefined when it has none. */
export function filterJq(filter: { payload?: unknown; payloadContains?: unknown; filter?: string }): string | undefined {
  const parts: string[] = [];
  if (filter.payload !== undefined) {
    checkPattern("filter.payload", filter.payload);
    parts.push(matcher(filter.payload, false));
  }
  if (filter.payloadContains !== undefined) {
    checkPattern("filter.payloadContains", filter.payloadContains);
    parts.push(matcher(filter.payloadContains, true));
  }
  // The user's jq may end in a `#` comment, which jaq (and jq 1.7.1) carry on to the next line
  // when it ends in a backslash: after an empty line, the closing paren is code again.
  if (filter.filter !== undefined) parts.push(parts.length === 0 ? filter.filter : `(${filter.filter}\n\n)`);
  return parts.length === 0 ? undefined : parts.join(" and ");
}
