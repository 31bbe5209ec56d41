/**
 * Client options the transport computes with are numbers of ms: a duration string such as "1s",
 * which other options take, is refused when the client is made instead of turning every retry
 * delay into NaN.
 */
import { describe, expect, it } from "vitest";
import { Client, type ClientOptions, ZizqArgumentError } from "../../../src/index.ts";

const make = (retry: unknown) => () => new Client({ url: "http://zizq.test", retry: retry as ClientOptions["retry"] });

describe("retry delays", () => {
  it.each([
    ["retry.initialDelayMs", { initialDelayMs: "1s" }],
    ["retry.maxDelayMs", { maxDelayMs: "5s" }],
    ["retry.maxDelayMs", { maxDelayMs: 2 ** 31 }],
  ])("%s given as %o is a ZizqArgumentError naming it", (field, retry) => {
    expect(make(retry)).toThrow(ZizqArgumentError);
    expect(make(retry)).toThrow(new RegExp(`^${field.replace(".", "\\.")}: expected ms from 0 to 2147483647`));
  });

  it("numbers of ms from 0 up pass, fractions included", () => {
    expect(make({ initialDelayMs: 0, maxDelayMs: 2.5 })).not.toThrow();
  });
});
