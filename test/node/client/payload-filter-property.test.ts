/**
 * The jq that `payload` and `payloadContains` compile to selects exactly the jobs the JS
 * references (`payloadMatches`, `payloadContains`) select: generated payloads are enqueued on the
 * test server, queried with a generated pattern through its real jq (jq-web), and the ids
 * compared. Keys and strings are drawn from a pool of what quoting gets wrong: quotes,
 * backslashes, `\(`, `#`, control characters, astral and combining characters.
 */
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { defineJob, payloadContains, payloadMatches } from "../../../src/index.ts";
import { type Setup, setup } from "./harness.ts";

const Any = defineJob({ type: "any", queue: "props" });

const KEYS = ["a", "b", "", "a b", '"', "\\", "\\(", "\\(.a)", "#", "é", "e\u0301", "😀", "\n", "\u0000", "\u007f", "$x", "1"];
const scalar = fc.oneof(
  fc.constantFrom<unknown>(0, 1, -1, 2.5, -0.5, 1e21, 5e-324, 2 ** 53 + 2, true, false, null),
  fc.constantFrom(...KEYS),
  fc.integer({ min: -3, max: 3 }),
);
const json: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    scalar,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie("value"), { maxKeys: 4 }),
  ),
})).value;
const payloads = fc.array(
  fc.oneof({ weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...KEYS), json, { maxKeys: 5 }) }, { weight: 1, arbitrary: json }),
  { minLength: 1, maxLength: 6 },
);

type Gen = fc.GeneratorValue;

/** A pattern made from `value`, so that it often matches: parts of it, sometimes changed. */
function derive(g: Gen, value: unknown, contains: boolean): unknown {
  if (g(fc.integer, { min: 0, max: 9 }) === 0) return g(() => json);
  if (Array.isArray(value)) {
    if (!contains) return value;
    const kept = value.filter(() => g(fc.boolean));
    return g(fc.shuffledSubarray, kept, { minLength: kept.length }).map((item) => derive(g, item, true));
  }
  if (typeof value === "object" && value !== null) {
    const pattern: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (g(fc.boolean)) Object.defineProperty(pattern, key, { value: derive(g, item, contains), enumerable: true, writable: true, configurable: true });
    }
    return pattern;
  }
  return value;
}

let s: Setup;
beforeAll(async () => {
  s = await setup();
});
afterAll(async () => {
  await s.close();
});

it("the compiled jq selects exactly what payloadMatches and payloadContains select", async () => {
  let matched = 0;
  let missed = 0;
  await fc.assert(
    fc.asyncProperty(payloads, fc.gen(), async (values, g) => {
      await s.client.reset();
      const ids = (await s.client.enqueueBulk(values.map((payload) => Any.with(payload)))).map((job) => job.id);
      for (const contains of [false, true]) {
        const pattern = derive(g, g(fc.constantFrom, ...values), contains);
        const reference = contains ? payloadContains : payloadMatches;
        const expected = ids.filter((_, i) => reference(values[i], pattern));
        const filter = contains ? { payloadContains: pattern } : { payload: pattern };
        const found = (await s.client.jobs(filter).toArray()).map((job) => job.id);
        expect(found).toEqual(expected);
        matched += expected.length;
        missed += ids.length - expected.length;
      }
    }),
    { numRuns: 120 },
  );
  // Both outcomes were exercised, not only one.
  expect(matched).toBeGreaterThan(50);
  expect(missed).toBeGreaterThan(50);
});
