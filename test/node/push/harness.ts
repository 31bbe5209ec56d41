/**
 * Shared set-up for the push endpoint tests: an in-memory Zizq server, a Client whose acks
 * and nacks are counted, a Router whose handler runs are counted, a real Hono app with
 * `zizqPush` mounted, and jobs taken (so in flight) with their raw wire frames.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { type PushHandlerOptions, zizqPush } from "../../../adapters/hono.ts";
import { signDelivery } from "../../../src/push/index.ts";
import { Client, defineJob, type Job } from "../../../src/index.ts";
import { generateSecret } from "../../../src/push/signature.ts";
import { createTestServer } from "../../../src/testing/index.ts";
import { NonRetryableError, RetryAfterError } from "../../../src/processing/handler-errors.ts";
import { Router } from "../../../src/processing/router.ts";

export const Task = defineJob({ type: "task", queue: "push", schema: v.object({ mode: v.picklist(["ok", "throw", "fatal", "later"]) }) });

export const SECRET = generateSecret();
export const quiet = { warn() {}, error() {}, info() {}, debug() {} };

export interface Harness {
  app: Hono;
  client: Client;
  /** Every ack (`/jobs/success`) and nack (`/jobs/:id/failure`) the endpoint sent. */
  settles: string[];
  /** Handler runs, by job id. */
  ran: string[];
  server: ReturnType<typeof createTestServer>;
  /** Enqueues and takes a job; its raw frame is the delivery body. Close `release` at the end. */
  take(type: string, payload: unknown): Promise<{ id: string; frame: string }>;
  state(id: string): Promise<Job<unknown>>;
  post(body: string | Uint8Array, headers?: Record<string, string>, init?: RequestInit): Promise<Response>;
  /** POSTs `body` signed with `secrets` (default SECRET), as the relay does. */
  deliver(body: string, options?: { secrets?: string | string[]; id?: string; timestampSec?: number; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

export async function harness(options: Partial<PushHandlerOptions> & { withClient?: boolean } = {}): Promise<Harness> {
  const { withClient = true, ...endpoint } = options;
  const server = createTestServer();
  const settles: string[] = [];
  const ran: string[] = [];
  const fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    if (request.method === "POST" && (path === "/jobs/success" || path.endsWith("/failure"))) settles.push(path);
    return server.fetch(request);
  }) as typeof globalThis.fetch;
  const client = new Client({ url: "http://zizq.test", fetch });
  const router = new Router()
    .route(Task, async ({ mode }, ctx) => {
      ran.push(ctx.job.id);
      if (mode === "throw") throw new TypeError("boom");
      if (mode === "fatal") throw new NonRetryableError("never again");
      if (mode === "later") throw new RetryAfterError(60_000);
    });
  const app = new Hono();
  app.post("/zizq", zizqPush({ router, secrets: [SECRET], logger: quiet, ...(withClient ? { client } : {}), ...endpoint }));
  // Other methods reach the endpoint too, to check its own 405.
  app.all("/any", zizqPush({ router, secrets: [SECRET], logger: quiet, ...(withClient ? { client } : {}), ...endpoint }));

  const readers: ReadableStreamDefaultReader<Job>[] = [];
  let queues = 0;
  // A queue per job: a stream whose job got settled must not take the next one.
  const take = async (type: string, payload: unknown) => {
    const queue = `push-${++queues}`;
    // Kept after completion, so the test can read its final state.
    const { id } = await client.enqueueRaw({ type, queue, payload, retention: { completed: 600_000, dead: 600_000 } });
    const reader = (await client.take({ prefetch: 1, queues: [queue] })).getReader();
    readers.push(reader);
    const { value } = await reader.read();
    if (value?.id !== id) throw new Error("took another job");
    const frame = await (await server.fetch(new Request(`http://zizq.test/jobs/${id}`, { headers: { accept: "application/json" } }))).text();
    return { id, frame };
  };
  const post = (body: string | Uint8Array, headers: Record<string, string> = {}, init: RequestInit = {}) =>
    Promise.resolve(app.request("/zizq", { method: "POST", body: body as BodyInit, headers: { "content-type": "application/json", ...headers }, ...init }));
  const deliver: Harness["deliver"] = async (body, o = {}) => {
    const signed = await signDelivery(o.secrets ?? SECRET, body, { ...(o.id ? { id: o.id } : {}), ...(o.timestampSec !== undefined ? { timestampSec: o.timestampSec } : {}) });
    return post(body, { ...signed, ...o.headers });
  };
  return {
    app,
    client,
    settles,
    ran,
    server,
    take,
    state: (id) => client.getJob(id),
    post,
    deliver,
    async close() {
      for (const reader of readers) await reader.cancel().catch(() => {});
      server.close();
    },
  };
}
