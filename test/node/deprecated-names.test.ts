/**
 * Old public names kept for one minor version as deprecated aliases (see CHANGELOG.md): each
 * still names the same type as its replacement.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { type RequestInfo, ZizqError, type ZizqRequestInfo } from "../../src/index.ts";

describe("deprecated aliases", () => {
  it("RequestInfo is ZizqRequestInfo", () => {
    expectTypeOf<RequestInfo>().toEqualTypeOf<ZizqRequestInfo>();
    const request: RequestInfo = { method: "GET", path: "/health" };
    expectTypeOf(new ZizqError("x", request).request).toEqualTypeOf<ZizqRequestInfo | undefined>();
    expect(new ZizqError("x", request).request).toBe(request);
  });
});
