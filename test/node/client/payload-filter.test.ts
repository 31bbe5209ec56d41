/** `payload` and `payloadContains` filters: sent as jq, joined with the user's own jq, refused with the path named, typed from the definition. */
import * as v from "valibot";
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import {
  defineJob,
  type Job,
  type JobFilter,
  type JobQuery,
  type PayloadContainsPattern,
  type PayloadPattern,
  ZizqArgumentError,
} from "../../../src/index.ts";
import { rejection, type Setup, setup } from "./harness.ts";

interface Order {
  tenantId: number;
  tags: string[];
  customer: { name: string; vip?: boolean };
}
const PlaceOrder = defineJob<Order>({ type: "place_order", queue: "orders" });
const Other = defineJob<{ tenantId: number }>({ type: "other", queue: "orders" });

let s: Setup;
beforeEach(async () => {
  s = await setup();
  await s.client.enqueueBulk([
    PlaceOrder.with({ tenantId: 7, tags: ["vip", "eu"], customer: { name: "Ada", vip: true } }),
    PlaceOrder.with({ tenantId: 7, tags: ["eu"], customer: { name: "Bob" } }),
    PlaceOrder.with({ tenantId: 8, tags: ["vip"], customer: { name: "Cy" } }),
    Other.with({ tenantId: 7 }),
  ]);
  s.calls.length = 0;
});
afterEach(async () => {
  await s.close();
});

const names = (jobs: Job<Order>[]) => jobs.map((job) => job.payload.customer.name);

describe("payload patterns", () => {
  it("select by exact pattern, nested objects matching partially", async () => {
    expect(names(await s.client.jobs(PlaceOrder, { payload: { tenantId: 7 } }).toArray())).toEqual(["Ada", "Bob"]);
    expect(names(await s.client.jobs(PlaceOrder, { payload: { customer: { vip: true } } }).toArray())).toEqual(["Ada"]);
    expect(names(await s.client.jobs(PlaceOrder, { payload: { tags: ["eu"] } }).toArray())).toEqual(["Bob"]);
    expect(await s.client.jobs({ payload: { tenantId: 7 } }).count()).toBe(3);
  });

  it("select by contains pattern: arrays hold the items given, in any order", async () => {
    expect(names(await s.client.jobs(PlaceOrder, { payloadContains: { tags: ["vip"] } }).toArray())).toEqual(["Ada", "Cy"]);
    expect(names(await s.client.jobs(PlaceOrder, { payloadContains: { tags: ["eu", "vip"] } }).toArray())).toEqual(["Ada"]);
    expect(names(await s.client.jobs(PlaceOrder, { payload: { tenantId: 7 }, payloadContains: { tags: ["vip"] } }).toArray())).toEqual(["Ada"]);
  });

  it("joins the user's jq with `and`, each part parenthesised; a trailing comment cannot swallow the paren", async () => {
    const query = s.client.jobs(PlaceOrder, { payload: { tenantId: 7 }, filter: '.customer.name == "Bob" or .customer.name == "Cy" # Bob or Cy \\' });
    expect(names(await query.toArray())).toEqual(["Bob"]);
    const sent = new URL(s.calls[0]?.path ?? "", "http://x").searchParams.get("filter");
    expect(sent).toBe(
      '(type == "object" and has("tenantId") and (.["tenantId"] | (. == 7))) and (.customer.name == "Bob" or .customer.name == "Cy" # Bob or Cy \\\n\n)',
    );
  });

  it("a user's jq alone is sent as it is", async () => {
    await s.client.jobs({ filter: ".tenantId == 8" }).count();
    expect(s.calls[0]?.path).toBe(`/jobs/count?filter=${new URLSearchParams({ f: ".tenantId == 8" }).toString().slice(2)}`);
  });

  it("quotes any key: quotes, backslashes, `\\(`, unicode", async () => {
    const Odd = defineJob<Record<string, number>>({ type: "odd", queue: "orders" });
    const keys = ['say "hi"', "back\\slash", "\\(.tenantId)", "ключ 😀", "#", "\n"];
    await s.client.enqueueBulk(keys.map((key, i) => Odd.with({ [key]: i })));
    for (const [i, key] of keys.entries()) {
      const found = await s.client.jobs(Odd, { payload: { [key]: i } }).toArray();
      expect(found.map((job) => job.payload[key])).toEqual([i]);
    }
  });

  it("bulk update and delete take patterns too", async () => {
    expect(await s.client.jobs(PlaceOrder, { payload: { tenantId: 7 } }).updateAll({ priority: 5 })).toBe(2);
    expect(names(await s.client.jobs(PlaceOrder, { priority: 5 }).toArray())).toEqual(["Ada", "Bob"]);
    expect(await s.client.jobs({ payloadContains: { tags: ["vip"] } }).deleteAll()).toBe(2);
    expect(names(await s.client.jobs(PlaceOrder).toArray())).toEqual(["Bob"]);
  });

  it.each([
    ["undefined", "filter.payload.tenantId", { payload: { tenantId: undefined } }],
    ["a function", "filter.payload.customer.name", { payload: { customer: { name: () => "Ada" } } }],
    ["NaN", "filter.payloadContains.tags[0]", { payloadContains: { tags: [Number.NaN] } }],
    ["a Date", "filter.payload.at", { payload: { at: new Date() } }],
    ["a lone surrogate", 'filter.payload["we ird"]', { payload: { "we ird": "\udfff" } }],
  ])("%s in a pattern is a ZizqArgumentError naming %s, and nothing is sent", async (_, field, filter) => {
    for (const run of [() => s.client.jobs(filter as JobFilter).toArray(), () => s.client.jobs(filter as JobFilter).deleteAll()]) {
      const error = await rejection(run());
      expect(error).toBeInstanceOf(ZizqArgumentError);
      expect((error as ZizqArgumentError).field).toBe(field);
    }
    expect(s.calls).toEqual([]);
  });
});

describe("types", () => {
  it("pattern types flow from the definition", () => {
    const query = s.client.jobs(PlaceOrder, { payload: { customer: { name: "Ada" } } });
    expectTypeOf(query).toEqualTypeOf<JobQuery<Order>>();
    // @ts-expect-error tenantId is a number
    s.client.jobs(PlaceOrder, { payload: { tenantId: "7" } });
    // @ts-expect-error no such field
    s.client.jobs(PlaceOrder, { payload: { tenant: 7 } });
    // @ts-expect-error an exact array pattern is the whole array type
    s.client.jobs(PlaceOrder, { payload: { tags: [1] } });
    s.client.jobs(PlaceOrder, { payloadContains: { tags: ["vip"], customer: { vip: true } } });
    // The definition gives the type: another one beside it is a type error, and refused when built.
    // @ts-expect-error type comes from the definition
    const twoTypes = () => s.client.jobs(PlaceOrder, { type: "place_order" });
    expect(twoTypes).toThrow(ZizqArgumentError);
    expectTypeOf(s.client.jobs<Order>({ payload: { tenantId: 7 } })).toEqualTypeOf<JobQuery<Order>>();
    // @ts-expect-error a typed query checks its patterns
    s.client.jobs<Order>({ payload: { tenantId: true } });
    // With a schema, the patterns are typed by its input.
    const Signup = defineJob({ type: "signup", queue: "orders", schema: v.object({ email: v.string(), age: v.optional(v.number()) }) });
    expectTypeOf(s.client.jobs(Signup, { payload: { age: 30 } })).toEqualTypeOf<JobQuery<{ email: string; age?: number | undefined }>>();
    // @ts-expect-error age is a number
    s.client.jobs(Signup, { payloadContains: { age: "30" } });
    expectTypeOf<PayloadPattern<{ a: { b: number[] }; c: string | null }>>().toEqualTypeOf<{
      readonly a?: { readonly b?: number[] };
      readonly c?: string | null;
    }>();
    expectTypeOf<PayloadContainsPattern<{ items: { sku: string }[] }>>().toEqualTypeOf<{
      readonly items?: readonly { readonly sku?: string }[];
    }>();
    expectTypeOf<PayloadPattern<unknown>>().toEqualTypeOf<unknown>();
    // An untyped filter still fits a typed query.
    const loose: JobFilter = { queue: "orders" };
    expectTypeOf(s.client.jobs<Order>(loose)).toEqualTypeOf<JobQuery<Order>>();
  });
});
