// The producer an edge function ships: a typed job with a valibot schema, one enqueue.
import * as v from "valibot";
import { Client, defineJob } from "../../src/index.ts";

const SendEmail = defineJob({
  type: "send_email",
  queue: "emails",
  schema: v.object({ to: v.string() }),
});

export default {
  async fetch(request: Request, env: { ZIZQ_URL: string }): Promise<Response> {
    const client = new Client({ url: env.ZIZQ_URL });
    const job = await client.enqueue(SendEmail, (await request.json()) as { to: string });
    return Response.json(job);
  },
};
