/**
 * A stand-in for the example Worker's producer route and Router (examples/worker.ts), for the
 * runtime whose type check cannot load a Worker module: Deno.
 */
import * as v from "valibot";
import { Client, defineJob, Router, ZizqValidationError } from "../../src/index.ts";
import type { EmailApp } from "./helpers-walk.ts";

const SendEmail = defineJob({ type: "send_email", queue: "emails", schema: v.object({ to: v.pipe(v.string(), v.email()), subject: v.string() }) });

export const emailApp: EmailApp = {
  SendEmail,
  router: new Router().route(SendEmail, () => undefined),
  async fetch(request, env) {
    const binding = env.ZIZQ_MTLS;
    const client = new Client({ url: env.ZIZQ_URL, fetch: binding && ((input, init) => binding.fetch(input, init)) });
    const body: unknown = await request.json();
    try {
      const jobs = await client.enqueueBulk((Array.isArray(body) ? body : [body]).map((email) => SendEmail.with(email)));
      return Response.json({ enqueued: jobs.map((job) => job.id) }, { status: 202 });
    } catch (error) {
      if (error instanceof ZizqValidationError) return Response.json({ error: error.message }, { status: 422 });
      throw error;
    }
  },
};
