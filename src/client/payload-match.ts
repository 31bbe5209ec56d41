/**
 * What the `payload` and `payloadContains` filters select, in JavaScript: the reference the jq
 * they compile to is tested against, and the matcher for jobs already in hand.
 */
import { checkPattern, isPlainObject } from "../protocol/payload-pattern.ts";
import { isObject } from "../utils/arguments.ts";

export type { PayloadContainsPattern, PayloadPattern } from "../types/pattern.ts";


/** JSON equality: objects by their keys in any order, arrays item by item. */
function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => equal(item, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && equal(a[key], b[key]));
}

type Leaf = (payload: unknown, pattern: unknown) => boolean;

function matches(payload: unknown, pattern: unknown, contains: boolean, leaf: Leaf = equal): boolean {
  if (isPlainObject(pattern)) {
    return isObject(payload) && Object.entries(pattern).every(([key, item]) => Object.hasOwn(payload, key) && matches(payload[key], item, contains, leaf));
  }
  if (contains && Array.isArray(pattern)) {
    return Array.isArray(payload) && pattern.every((item) => payload.some((element) => matches(element, item, true, leaf)));
  }
  return leaf(payload, pattern);
}

/**
 * The `payload` pattern's walk with another comparison where the pattern holds a value, unchecked:
 * the test matchers' `equals`, so a pattern may hold the runner's asymmetric matchers.
 */
export function matchesWith(payload: unknown, pattern: unknown, leaf: Leaf): boolean {
  return matches(payload, pattern, false, leaf);
}

/**
 * Whether `payload` matches `pattern` as the `payload` filter does: an object pattern matches an
 * object that has every key given, each value matching in turn (other keys are fine); arrays,
 * strings, numbers, booleans and null must be equal. Throws `ZizqArgumentError` naming the path
 * of what a pattern cannot hold (undefined, functions, NaN, class instances, lone surrogates).
 *
 * @example
 * ```ts
 * payloadMatches({ tenantId: 7, user: { name: "Ada" } }, { user: { name: "Ada" } }); // true
 * payloadMatches({ tags: ["a", "b"] }, { tags: ["a"] }); // false: arrays must be equal
 * ```
 */
export function payloadMatches(payload: unknown, pattern: unknown): boolean {
  checkPattern("pattern", pattern);
  return matches(payload, pattern, false);
}

/**
 * Whether `payload` matches `pattern` as the `payloadContains` filter does: as `payloadMatches`,
 * except that an array pattern matches any array holding, for each of its items, some element
 * that matches that item (in any order; other elements are fine).
 *
 * @example
 * ```ts
 * payloadContains({ tags: ["a", "b"] }, { tags: ["b"] }); // true
 * payloadContains({ items: [{ sku: "A", qty: 2 }] }, { items: [{ sku: "A" }] }); // true
 * ```
 */
export function payloadContains(payload: unknown, pattern: unknown): boolean {
  checkPattern("pattern", pattern);
  return matches(payload, pattern, true);
}
