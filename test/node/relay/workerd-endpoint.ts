/**
 * The push endpoint as a module Worker, bundled and run in workerd (Miniflare) by relay.test.ts:
 * `zizqPush` on a Hono app, with the tests' Router; with a `ZIZQ_URL` binding it holds a Client
 * and settles jobs itself (under `waitUntil`).
 */
import { type ExecutionContext, Hono } from "hono";
import { zizqPush } from "../../../adapters/hono.ts";
import { Client } from "../../../src/client/client.ts";
import { endpointRouter } from "./jobs.ts";

interface Env {
  PUSH_SECRET: string;
  ZIZQ_URL?: string;
  /** Build the app (and so the endpoint's AckBatcher) per request: isolates each settle in its request's I/O context. */
  PER_REQUEST?: string;
}

const quiet = { warn: () => {}, error: (message: string, details?: unknown) => console.error(message, details) };
let app: Hono<{ Bindings: Env }> | undefined;

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    if (app === undefined || env.PER_REQUEST) {
      const client = env.ZIZQ_URL ? new Client({ url: env.ZIZQ_URL }) : undefined;
      app = new Hono<{ Bindings: Env }>();
      app.post("/push", zizqPush({ secrets: env.PUSH_SECRET, router: endpointRouter(), client, logger: quiet }));
    }
    return app.fetch(request, env, ctx);
  },
};
