/**
 * The edge example: one Cloudflare Worker that produces jobs from its fetch handler and drains
 * them on a Cron Trigger, configured by `wrangler.toml` (cron, `ZIZQ_URL`, an optional mTLS
 * certificate binding). `npm run example:worker` runs it in workerd against the embedded test
 * server.
 *
 *   GET  /         the Zizq server's health and version
 *   POST /emails   enqueue `{ to, subject }`, or an array of them in one request; 202 with the ids
 *   POST /zizq     the push endpoint, when the PUSH_SECRET secret is set: a relay
 *                  (examples/push-relay.ts) delivers signed jobs here, run by the same Router
 *   (cron)         drain the `emails` queue for up to 25 s
 */
import * as v from "valibot";
import { defineJob, Router, ZizqError, ZizqValidationError } from "zizq-edge";
import { clientFromEnv, type FetcherBinding, zizqWorker } from "zizq-edge/cloudflare";
import { createPushHandler, type PushHandler } from "zizq-edge/push";

export interface Env {
  ZIZQ_URL: string;
  /** An `[[mtls_certificates]]` binding: when present, every request presents its client certificate. */
  ZIZQ_MTLS?: FetcherBinding;
  /** The push endpoint's `whsec_` secret (`wrangler secret put PUSH_SECRET`); without it there is no endpoint. */
  PUSH_SECRET?: string;
}

const Email = v.object({ to: v.pipe(v.string(), v.email()), subject: v.string() });

export const SendEmail = defineJob({ type: "send_email", queue: "emails", schema: Email, retryLimit: 5 });

export const router = new Router().route(SendEmail, async ({ to, subject }, { signal }) => {
  // Send the email here, passing `signal` so that the drain's deadline cancels the call, e.g.
  // await fetch("https://mail.example/send", { method: "POST", body: JSON.stringify({ to, subject }), signal });
});

async function enqueue(request: Request, env: Env): Promise<Response> {
  const body: unknown = await request.json().catch(() => undefined);
  // Each payload is checked against the schema before anything is sent (422 below).
  const emails = (Array.isArray(body) ? body : [body]) as v.InferInput<typeof Email>[];
  try {
    const jobs = await clientFromEnv(env).enqueueBulk(emails.map((email) => SendEmail.with(email)));
    return Response.json({ enqueued: jobs.map((job) => job.id) }, { status: 202 });
  } catch (error) {
    if (error instanceof ZizqValidationError) return Response.json({ error: error.message }, { status: 422 });
    throw error;
  }
}

async function health(env: Env): Promise<Response> {
  const client = clientFromEnv(env, { retry: false });
  try {
    await client.health();
    return Response.json({ zizq: env.ZIZQ_URL, status: "ok", version: await client.checkCompatibility() });
  } catch (error) {
    const status = error instanceof ZizqError ? error.message : String(error);
    return Response.json({ zizq: env.ZIZQ_URL, status: "unavailable", error: status }, { status: 502 });
  }
}

/** One push handler per secret, so its replay store lives as long as the isolate. */
let push: { secret: string; handle: PushHandler } | undefined;

function pushEndpoint(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const secret = env.PUSH_SECRET;
  if (!secret) return Promise.resolve(new Response("Not Found", { status: 404 }));
  if (push?.secret !== secret) push = { secret, handle: createPushHandler({ router, secrets: [secret] }) };
  return push.handle(request, ctx);
}

export default zizqWorker<Env, ExecutionContext>({
  client: (env) => clientFromEnv(env),
  router,
  pushPath: "/zizq",
  push: pushEndpoint,
  // The default budget (25 s) suits a cron that fires every minute; see DEFAULT_DRAIN_MS.
  drain: { queues: ["emails"], concurrency: 16 },
  fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (request.method === "POST" && pathname === "/emails") return enqueue(request, env);
    if (request.method === "GET" && pathname === "/") return health(env);
    return new Response("Not Found", { status: 404 });
  },
}) satisfies ExportedHandler<Env>;
