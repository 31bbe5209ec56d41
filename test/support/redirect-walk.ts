/**
 * The redirect walk for each runtime's own fetch: a server on a real loopback port answering 307
 * to another one, and a Client that must refuse it (`ZizqRedirectError`) for a POST with a body
 * and for the take, sending nothing to the target. Node, workerd, Bun and Deno all hand back the
 * 3xx itself for `redirect: "manual"`; this keeps that true where the suite runs.
 */
import { Client, ZizqRedirectError } from "../../src/index.ts";
import type { FetchApp, ServeOptions, ServerHandle } from "../../src/adapter/serve.ts";
import type { SmokeAssert } from "./smoke-walk.ts";

type Serve = (app: FetchApp, options?: ServeOptions) => Promise<ServerHandle>;

export async function redirectWalk(serve: Serve, assert: SmokeAssert): Promise<void> {
  let landed = 0;
  const target = await serve({
    fetch: () => {
      landed++;
      return new Response(null, { status: 204 });
    },
  });
  const redirecting = await serve({
    fetch: (request) => new Response(null, { status: 307, headers: { location: `${target.url}${new URL(request.url).pathname}` } }),
  });
  try {
    const client = new Client({ url: redirecting.url, retry: { limit: 2, initialDelayMs: 1, maxDelayMs: 2 } });
    const enqueue = await client.enqueueRaw({ type: "t", queue: "q", payload: { n: 1 }, uniqueKey: "k" }).catch((error: unknown) => error);
    assert.ok(enqueue instanceof ZizqRedirectError, `expected ZizqRedirectError, got ${String(enqueue)}`);
    assert.equal((enqueue as ZizqRedirectError).status, 307);
    assert.equal((enqueue as ZizqRedirectError).location, `${target.url}/jobs`);
    const take = await client.take({ prefetch: 1 }).catch((error: unknown) => error);
    assert.ok(take instanceof ZizqRedirectError, `expected ZizqRedirectError, got ${String(take)}`);
    assert.equal(landed, 0, "requests that reached the redirect's target");
  } finally {
    await redirecting.close();
    await target.close();
  }
}
