import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ZizqArgumentError } from "../../src/errors/argument-error.ts";
import { canonicalJson } from "../../src/unique-key/canonical-json.ts";
import { hashedKey, uniqueKey } from "../../src/unique-key/hash.ts";
import vectors from "../fixtures/unique-key-vectors.json" with { type: "json" };
import { checkVector, type UniqueKeyVector } from "../support/unique-key-check.ts";
import { vitestAssert } from "../support/vitest-assert.ts";

const all = vectors as UniqueKeyVector[];

describe("the vectors computed by serde_json", () => {
  it("are all here, one of them Rust-only", () => {
    expect(all.length).toBe(38);
    expect(all.filter((vector) => vector.rust_only).map((vector) => vector.name)).toEqual(["rust_only_typed_f64_fields"]);
  });

  it.for(all.map((vector) => [vector.name, vector] as const))("%s", ([, vector]) => checkVector(vector, vitestAssert));
});

/** Deep copy with every object's keys inserted in an order drawn from `order`. */
function reorder(value: unknown, order: (length: number) => number[]): unknown {
  if (Array.isArray(value)) return value.map((item) => reorder(item, order));
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value);
  return Object.fromEntries(order(entries.length).map((i) => [entries[i]![0], reorder(entries[i]![1], order)]));
}

/** A permutation source: each call shuffles 0..length-1 with the next numbers from `seeds`. */
function permutations(seeds: readonly number[]): (length: number) => number[] {
  let next = 0;
  return (length) => {
    const indices = Array.from({ length }, (_, i) => i);
    for (let i = length - 1; i > 0; i--) {
      const j = (seeds[next++ % seeds.length] ?? 0) % (i + 1);
      [indices[i], indices[j]] = [indices[j]!, indices[i]!];
    }
    return indices;
  };
}

/** serde_json's number text, derived independently: BigInt range checks and the digits of String(n). */
function serdeNumber(n: number): string {
  const text = JSON.stringify(n);
  if (/^-?\d+$/.test(text)) {
    const big = BigInt(text);
    if (big >= -(2n ** 63n) && big < 2n ** 64n) return text;
  }
  const [mantissa = "", exponent = "0"] = String(Math.abs(n)).split("e");
  const [whole = "", fraction = ""] = mantissa.split(".");
  const zeros = (whole + fraction).match(/^0*/)![0].length;
  const digits = (whole + fraction).slice(zeros).replace(/0+$/, "");
  const point = whole.length + Number(exponent) - zeros;
  const sign = n < 0 ? "-" : "";
  if (point > 0 && point <= 16) return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  if (point <= 0 && point > -5) return `${sign}0.${"0".repeat(-point)}${digits}`;
  return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ""}e${point - 1}`;
}

const json = fc.jsonValue({ maxDepth: 4, stringUnit: "binary" });

describe("properties", () => {
  it("any insertion order of object keys gives the same canonical text and key", async () => {
    await fc.assert(
      fc.asyncProperty(json, fc.array(fc.nat(), { minLength: 1 }), async (value, seeds) => {
        const shuffled = reorder(value, permutations(seeds));
        expect(canonicalJson(shuffled)).toBe(canonicalJson(value));
        expect(await uniqueKey(shuffled, { prefix: "t" })).toBe(await uniqueKey(value, { prefix: "t" }));
      }),
      { numRuns: 200 },
    );
  });

  it("canonical text parses back to the same JSON value and is a fixed point", () => {
    fc.assert(
      fc.property(json, (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it("strings are written exactly as JSON.stringify writes well-formed strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(canonicalJson(text)).toBe(JSON.stringify(text));
      }),
    );
  });

  it("numbers match an independent serde_json model and parse back to the same double", () => {
    const interesting = fc.constantFrom(0, 1e16, 1e21, 2 ** 53, 2 ** 63, 2 ** 64, -(2 ** 63), 1e-5, 1e-6, 5e-324, Number.MAX_VALUE);
    fc.assert(
      fc.property(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), interesting), (n) => {
        const text = canonicalJson(n);
        expect(text).toBe(serdeNumber(n));
        expect(Number(text)).toBe(n === 0 ? 0 : n);
      }),
      { numRuns: 2000 },
    );
  });

  it("only with every top-level key, or '.', is the whole payload; except with every key is {}", async () => {
    const quote = (key: string) => `.["${key.replace(/["\\]/g, "\\$&")}"]`;
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string({ unit: "binary" }), json, { minKeys: 1 }), async (payload) => {
        const paths = Object.keys(payload).map(quote);
        const whole = await uniqueKey(payload);
        expect(await uniqueKey(payload, { only: paths })).toBe(whole);
        expect(await uniqueKey(payload, { only: [...paths.slice(1), "."] })).toBe(whole);
        expect(await uniqueKey(payload, { except: [] })).toBe(whole);
        expect(await uniqueKey(payload, { except: paths })).toBe(await uniqueKey({}));
      }),
      { numRuns: 100 },
    );
  });
});

function caught(run: () => unknown): ZizqArgumentError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ZizqArgumentError);
    return error as ZizqArgumentError;
  }
  throw new Error("expected a ZizqArgumentError");
}

describe("values JSON cannot carry", () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = { back: cyclic };
  it.for([
    ["undefined at the top", undefined, "payload", "undefined is not a JSON value"],
    ["undefined in an array", { a: [1, undefined] }, "payload.a[1]", "undefined is not a JSON value"],
    ["a hole in an array", { a: [1, , 3] }, "payload.a[1]", "undefined is not a JSON value"],
    ["a function member", { f: () => 1 }, "payload.f", "a function is not a JSON value"],
    ["a symbol", [Symbol("s")], "payload[0]", "a symbol is not a JSON value"],
    ["a BigInt", { "odd key": 1n }, 'payload["odd key"]', "a bigint is not a JSON value"],
    ["NaN", { n: Number.NaN }, "payload.n", "NaN is not a JSON number"],
    ["Infinity", { n: [Number.NEGATIVE_INFINITY] }, "payload.n[0]", "-Infinity is not a JSON number"],
    ["a cycle", cyclic, "payload.self.back", "the value contains itself (a cycle)"],
    ["a lone surrogate", { s: "a\ud83d" }, "payload.s", "a string with a lone surrogate (U+D83D) is not valid Unicode"],
    ["a lone low surrogate in a key", { "\udc00": 1 }, 'payload["\\udc00"]', "a string with a lone surrogate (U+DC00) is not valid Unicode"],
  ] as const)("rejects %s", ([, value, field, message]) => {
    const error = caught(() => canonicalJson(value));
    expect(error.field).toBe(field);
    expect(error.message).toBe(`${field}: ${message}`);
  });

  it("uniqueKey rejects instead of throwing", async () => {
    await expect(uniqueKey({ n: Number.NaN })).rejects.toBeInstanceOf(ZizqArgumentError);
    await expect(hashedKey()(1n, { type: "t" })).rejects.toBeInstanceOf(ZizqArgumentError);
  });

  it("follows JSON.stringify where it is well defined: undefined members, toJSON, boxed values", () => {
    const date = new Date(Date.UTC(2025, 0, 2, 3, 4, 5));
    expect(canonicalJson({ b: undefined, a: 1, c: { toJSON: () => undefined } })).toBe('{"a":1}');
    expect(canonicalJson({ at: date, n: Object(2), s: Object("x"), t: Object(true) })).toBe(
      '{"at":"2025-01-02T03:04:05.000Z","n":2,"s":"x","t":true}',
    );
    expect(canonicalJson({ k: { toJSON: (key: string) => `key was ${key}` } })).toBe('{"k":"key was k"}');
    const shared = { x: 1 };
    expect(canonicalJson([shared, { again: shared }])).toBe('[{"x":1},{"again":{"x":1}}]');
  });
});

describe("only / except", () => {
  it.for([
    [{ only: [".a", "a"] }, "only[1]", "expected a leading '.'"],
    [{ only: [".a", ".b", ".1x"] }, "only[2]", 'unexpected "1" at offset 1'],
    [{ except: [".a["] }, "except[0]", "expected an array index such as [0]"],
    [{ except: [".a[x]"] }, "except[0]", "expected an array index such as [0]"],
    [{ except: [".a[-1]"] }, "except[0]", "expected an array index such as [0]"],
    [{ except: [".a[99999999999999999999]"] }, "except[0]", "expected an array index such as [0]"],
    [{ only: ['.["open'] }, "only[0]", "expected '\"]' to close a quoted key"],
    [{ only: [".é"] }, "only[0]", 'unexpected "é" at offset 1'],
    [{ only: [".a b"] }, "only[0]", 'unexpected " " at offset 2'],
    [{ only: [""] }, "only[0]", "expected a leading '.'"],
    [{ only: [7] }, "only[0]", "expected a path string, got number"],
    [{ only: ".a" }, "only", "expected an array of path strings"],
    [{ only: [], except: [] }, "only", "give only or except, not both"],
    [{ prefix: "" }, "prefix", 'expected a non-empty string or false, got ""'],
    [{ prefix: true }, "prefix", "expected a non-empty string or false, got true"],
  ] as const)("%o is rejected on %s", async ([options, field, message]) => {
    const error = caught(() => hashedKey(options as never));
    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
    await expect(uniqueKey({}, options as never)).rejects.toThrow(error.message);
  });

  it("accepts quoted keys with escapes, dots before brackets and repeated dots", async () => {
    const payload = { 'we"ird\\': { "a.b": [1, { c: 2 }] }, z: 0 };
    const key = await uniqueKey(payload, { only: ['.["we\\"ird\\\\"]["a.b"].[1]..c'] });
    expect(key).toBe(await uniqueKey({ 'we"ird\\': { "a.b": [null, { c: 2 }] } }));
  });

  it("reads only own keys: inherited names resolve to nothing", async () => {
    const empty = await uniqueKey({});
    expect(await uniqueKey({ a: 1 }, { only: [".toString", ".constructor", '.["__proto__"]'] })).toBe(empty);
    expect(await uniqueKey({ a: [] }, { only: [".a.length"] })).toBe(empty);
    const proto = JSON.parse('{"__proto__":{"x":1},"y":2}');
    expect(await uniqueKey(proto, { except: [".y"] })).toBe(await uniqueKey(JSON.parse('{"__proto__":{"x":1}}')));
  });

  it("an empty only list matches nothing and gives {}", async () => {
    expect(await uniqueKey({ a: 1 }, { only: [] })).toBe(await uniqueKey({}));
  });

  it("leaves the caller's payload untouched", async () => {
    const payload = { a: [1, 2, 3], b: { c: 1 } };
    await uniqueKey(payload, { except: [".a[0]", ".b.c"] });
    await uniqueKey(payload, { only: [".a[2]", ".b"] });
    expect(payload).toEqual({ a: [1, 2, 3], b: { c: 1 } });
  });
});

describe("hashedKey", () => {
  const payload = { userId: 42, note: "hi" };

  it("prefixes the job type, a given prefix, or nothing", async () => {
    const hex = await uniqueKey({ userId: 42 });
    expect(hex).toMatch(/^[0-9a-f]{64}$/);
    const only = [".userId"];
    expect(await hashedKey({ only })(payload, { type: "send_email" })).toBe(`send_email:${hex}`);
    expect(await hashedKey({ only, prefix: "mail" })(payload, { type: "send_email" })).toBe(`mail:${hex}`);
    expect(await hashedKey({ only, prefix: false })(payload, { type: "send_email" })).toBe(hex);
    expect(await uniqueKey(payload, { only, prefix: "send_email" })).toBe(`send_email:${hex}`);
  });

  it("checks its options when the job type is defined, not at enqueue", () => {
    expect(() => hashedKey({ except: ["nope"] })).toThrow(ZizqArgumentError);
  });
});
