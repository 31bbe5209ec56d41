/**
 * The redirect walk for each runtime's own fetch: a server on a real loopback port answering 307
 * to another one, and a Client that must refuse it (`ZizqRedirectError`) for a POST with a body
 * and for the take, sending nothing to the target. Node, workerd, Bun and Deno all hand back the
 * 3xx itself for `redirect: "manual"`; this keeps that true where the suite runs.
 */
import { Client, ZizqRedirectError } from "../../src/index.ts";
import type { FetchApp, ServeOptions, ServerHandle } from "../../src/adapter/serve.ts";
import type { Walk } from "./walk.ts";

type Serve = (app: FetchApp, options?: ServeOptions) => Promise<ServerHandle>;

interface RedirectState {
  target: ServerHandle;
  redirecting: ServerHandle;
  client: Client;
  /** Requests that reached the redirect's target. */
  landed: { count: number };
}

export function redirectWalk(serve: Serve): Walk<RedirectState> {
  return {
    async open() {
      const landed = { count: 0 };
      const target = await serve({
        fetch: () => {
          landed.count++;
          return new Response(null, { status: 204 });
        },
      });
      const redirecting = await serve({
        fetch: (request) => new Response(null, { status: 307, headers: { location: `${target.url}${new URL(request.url).pathname}` } }),
      });
      const client = new Client({ url: redirecting.url, retry: { limit: 2, initialDelayMs: 1, maxDelayMs: 2 } });
      return { target, redirecting, client, landed };
    },
    async close({ target, redirecting }) {
      await redirecting.close();
      await target.close();
    },
    steps: [
      {
        name: "a 307 to a POST with a body is a ZizqRedirectError naming the location",
        async run({ client, target }, assert) {
          const enqueue = await client.enqueueRaw({ type: "t", queue: "q", payload: { n: 1 }, uniqueKey: "k" }).catch((error: unknown) => error);
          assert.ok(enqueue instanceof ZizqRedirectError, `expected ZizqRedirectError, got ${String(enqueue)}`);
          assert.equal((enqueue as ZizqRedirectError).status, 307);
          assert.equal((enqueue as ZizqRedirectError).location, `${target.url}/jobs`);
        },
      },
      {
        name: "a 307 to the take is a ZizqRedirectError",
        async run({ client }, assert) {
          const take = await client.take({ prefetch: 1 }).catch((error: unknown) => error);
          assert.ok(take instanceof ZizqRedirectError, `expected ZizqRedirectError, got ${String(take)}`);
        },
      },
      {
        name: "nothing reaches the redirect's target",
        run: ({ landed }, assert) => assert.equal(landed.count, 0, "requests that reached the redirect's target"),
      },
    ],
  };
}
