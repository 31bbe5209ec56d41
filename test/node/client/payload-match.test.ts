/** The JS references of the payload filters: what matches, and the patterns refused with the path named. */
import { describe, expect, it } from "vitest";
import { payloadContains, payloadMatches, ZizqArgumentError } from "../../../src/index.ts";

const payload = { tenantId: 7, user: { name: "Ada", tags: ["vip", "beta"] }, items: [{ sku: "A", qty: 2 }, { sku: "B", qty: 1 }], note: null };

describe("payloadMatches", () => {
  it.each([
    [{}, true],
    [{ tenantId: 7 }, true],
    [{ tenantId: 8 }, false],
    [{ tenantId: "7" }, false],
    [{ user: { name: "Ada" } }, true],
    [{ user: { tags: ["vip", "beta"] } }, true],
    [{ user: { tags: ["vip"] } }, false],
    [{ user: { tags: ["beta", "vip"] } }, false],
    [{ items: [{ sku: "A" }, { sku: "B" }] }, false],
    [{ items: [{ qty: 2, sku: "A" }, { sku: "B", qty: 1 }] }, true],
    [{ note: null }, true],
    [{ missing: null }, false],
    [{ user: "Ada" }, false],
  ])("%j → %s", (pattern, expected) => {
    expect(payloadMatches(payload, pattern)).toBe(expected);
  });

  it("compares scalars, arrays and null by equality at the top level", () => {
    expect(payloadMatches(3, 3)).toBe(true);
    expect(payloadMatches(null, null)).toBe(true);
    expect(payloadMatches(null, {})).toBe(false);
    expect(payloadMatches([1, 2], {})).toBe(false);
    expect(payloadMatches([1, { a: 1 }], [1, { a: 1 }])).toBe(true);
    expect(payloadMatches([1, { a: 1, b: 2 }], [1, { a: 1 }])).toBe(false);
  });
});

describe("payloadContains", () => {
  it.each([
    [{ user: { tags: ["vip"] } }, true],
    [{ user: { tags: ["beta", "vip"] } }, true],
    [{ user: { tags: [] } }, true],
    [{ user: { tags: ["admin"] } }, false],
    [{ items: [{ sku: "B" }] }, true],
    [{ items: [{ sku: "B", qty: 2 }] }, false],
    [{ tenantId: 7, items: [{ qty: 1 }, { qty: 2 }] }, true],
    [{ user: { tags: "vip" } }, false],
    [{ tenantId: [7] }, false],
  ])("%j → %s", (pattern, expected) => {
    expect(payloadContains(payload, pattern)).toBe(expected);
  });
});

describe("patterns JSON cannot carry", () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  it.each([
    [{ a: undefined }, "pattern.a", "undefined is not a JSON value"],
    [{ a: { b: () => 1 } }, "pattern.a.b", "a function is not a JSON value"],
    [{ list: [1, Number.NaN] }, "pattern.list[1]", "NaN is not a JSON number"],
    [{ at: new Date(0) }, "pattern.at", "a Date that is not a plain object"],
    [{ m: new Map() }, "pattern.m", "not a plain object"],
    [{ "odd key": "\ud800" }, 'pattern["odd key"]', "lone surrogate"],
    [{ ["\udc00"]: 1 }, 'pattern["\\udc00"]', "a key with a lone surrogate"],
    [{ n: 1n }, "pattern.n", "is not a JSON value"],
    [{ sparse: [1, , 3] }, "pattern.sparse[1]", "undefined"],
    [cyclic, "pattern.self", "a cycle"],
    [{ [Symbol("s")]: 1 }, "pattern", "a symbol key"],
  ])("%s names %s", (pattern, field, message) => {
    for (const check of [payloadMatches, payloadContains]) {
      let error: unknown;
      try {
        check({}, pattern);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ZizqArgumentError);
      expect((error as ZizqArgumentError).field).toBe(field);
      expect((error as ZizqArgumentError).message).toContain(message);
    }
  });
});
