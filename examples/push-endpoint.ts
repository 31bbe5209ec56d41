/**
 * A push endpoint: a Hono app whose `POST /zizq` receives jobs from the relay
 * (examples/push-relay.ts), checks their Standard Webhooks signature, and runs them through a
 * Router — no Zizq credentials needed here. The relay acks or nacks each job by the answer.
 *
 * Run it on its own (the relay then points at it with PUSH_URL):
 *
 *   PUSH_SECRET=whsec_... PORT=8787 npx tsx examples/push-endpoint.ts     # Node
 *   PUSH_SECRET=whsec_... PORT=8787 npx bun examples/push-endpoint.ts     # Bun
 *
 * With ZIZQ_URL set, the endpoint holds a Client and acks/nacks through its own batcher
 * (`settled: true`); the relay then reports nothing itself.
 *
 * On Cloudflare Workers, mount the same handler with `zizq-edge/cloudflare`'s `push` hook:
 *
 *   import { createPushHandler, type PushHandler } from "zizq-edge/push";
 *   import { zizqWorker } from "zizq-edge/cloudflare";
 *   let push: PushHandler | undefined;
 *   export default zizqWorker<Env>({
 *     router,                                             // the scheduled drain's Router
 *     pushPath: "/zizq",
 *     push: (request, env, ctx) => (push ??= createPushHandler({ router: pushRouter, secrets: env.PUSH_SECRET }))(request, ctx),
 *   });
 *
 * (`wrangler secret put PUSH_SECRET`; the settle of an endpoint with a Client runs under `ctx.waitUntil`.)
 */
import { Hono } from "hono";
import * as v from "valibot";
import { Client, defineJob, NonRetryableError, RetryAfterError, Router } from "zizq-edge";
import { zizqPush } from "zizq-edge/hono";

export const SendEmail = defineJob({
  type: "send_email",
  queue: "emails",
  schema: v.object({ to: v.pipe(v.string(), v.email()), subject: v.string() }),
  retryLimit: 3,
});

export const router = new Router().route(SendEmail, async ({ to, subject }, ctx) => {
  if (to.endsWith("@bounce.example")) throw new NonRetryableError(`${to} bounces`);
  if (to.startsWith("busy") && ctx.attempt === 1) throw new RetryAfterError(500, "mail server busy");
  ctx.log.info(`sent "${subject}" to ${to} (attempt ${ctx.attempt})`);
});

/** The endpoint app; pass a Client to settle jobs from here instead of the relay. */
export function endpointApp(options: { secrets: string | readonly string[]; client?: Client; path?: string }): Hono {
  const app = new Hono();
  app.post(options.path ?? "/zizq", zizqPush({ router, secrets: options.secrets, client: options.client }));
  app.get("/health", (c) => c.text("ok"));
  return app;
}

const isMain =
  (import.meta as { main?: boolean }).main ??
  (typeof process !== "undefined" && process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href);

if (isMain) {
  const secret = process.env.PUSH_SECRET;
  if (!secret) {
    console.error("set PUSH_SECRET to the endpoint's whsec_ secret (the relay signs with the same one)");
    process.exit(2);
  }
  const client = process.env.ZIZQ_URL ? new Client({ url: process.env.ZIZQ_URL }) : undefined;
  const app = endpointApp({ secrets: secret, client });
  const port = Number(process.env.PORT ?? 8787);
  const { serve } = "Bun" in globalThis ? await import("zizq-edge/bun") : await import("zizq-edge/node");
  const handle = await serve(app, { port });
  console.log(`push endpoint on ${handle.url}/zizq${client ? " (settling through its own Client)" : ""}`);
}
