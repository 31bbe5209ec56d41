/**
 * workerd with `redirect: "manual"` hands back the 3xx itself (browsers hand back an opaque,
 * status-0 response instead; test/node/client/redirects.test.ts covers that shape): the Client
 * refuses it as a ZizqRedirectError, and nothing reaches the redirect's target.
 */
import { describe, expect, inject, it } from "vitest";
import { Client, ZizqRedirectError } from "../../src/index.ts";

describe("redirects in workerd", () => {
  it("a 307 is refused for a POST with a body and for the take, and never followed", async () => {
    const base = inject("zizqUrl");
    const client = new Client({ url: `${base}/__test/redirect`, retry: false });
    const enqueue: unknown = await client.enqueueRaw({ type: "t", queue: "q", payload: { n: 1 } }).catch((e: unknown) => e);
    expect(enqueue).toBeInstanceOf(ZizqRedirectError);
    expect(enqueue).toMatchObject({ status: 307, location: `${base}/__test/landed`, request: { path: "/__test/redirect/jobs" } });
    const take: unknown = await client.take({ prefetch: 1 }).catch((e: unknown) => e);
    expect(take).toMatchObject({ name: "ZizqRedirectError", status: 307, request: { path: "/__test/redirect/jobs/take?prefetch=1" } });
    expect(await (await fetch(`${base}/__test/landed-count`)).json()).toEqual({ landed: 0 });
  });
});
