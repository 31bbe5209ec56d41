import { Hono } from "hono";
import { methods } from "../http/methods.ts";
import { acceptFormat } from "../http/negotiate.ts";
import { noContent, respond } from "../http/respond.ts";
import type { AppDeps } from "./deps.ts";

/** Health, version, the queue list, and the reset that empties the server. */
export function adminRoutes({ store, crons, version }: AppDeps): Hono {
  const app = new Hono();
  app.all("/health", methods({ GET: (c) => respond(acceptFormat(c.req.raw), 200, { status: "ok" }) }));
  app.all("/version", methods({ GET: (c) => respond(acceptFormat(c.req.raw), 200, { version }) }));
  app.all("/queues", methods({ GET: (c) => respond(acceptFormat(c.req.raw), 200, { queues: store.queues() }) }));
  app.all(
    "/reset",
    methods({
      POST: (c) => {
        acceptFormat(c.req.raw);
        crons.deleteAll();
        store.reset();
        return noContent();
      },
    }),
  );
  return app;
}
