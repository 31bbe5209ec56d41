/**
 * The Client walk every runtime runs (Bun, Deno, workerd; Node runs the full suite): enqueue
 * with a schema, bulk enqueue, take + ackMany (with its partial-success answer), a count, a 404
 * error class, a validation error that sends nothing, in the given wire format. It uses only
 * the web platform, and talks to the in-memory test server in-process through `server.fetch`.
 */
import * as v from "valibot";
import { Client, defineJob, type EnqueuedJob, type Format, type Job, ZizqError, ZizqNotFoundError, ZizqValidationError } from "../../src/index.ts";
import { createTestServer } from "../../src/testing/index.ts";
import type { TestServer } from "../../src/testing/types.ts";
import { within } from "./wait.ts";
import type { Walk } from "./walk.ts";

const SendEmail = defineJob({ type: "send_email", queue: "emails", schema: v.object({ to: v.string() }), priority: 10 });
const Resize = defineJob<{ width: number }>({ type: "resize", queue: "images" });
const Order = defineJob({ type: "order", queue: "orders", schema: v.object({ items: v.array(v.object({ sku: v.string() })) }) });

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
}

interface ClientState {
  server: TestServer;
  client: Client;
  /** Requests the client sent, as `METHOD path`. */
  requests: string[];
  /** The jobs enqueued so far. */
  enqueued: EnqueuedJob[];
}

/** The walk against a fresh in-process test server, in one wire format. */
export function clientWalk(format: Format): Walk<ClientState> {
  return {
    open(assert) {
      const server = createTestServer();
      const requests: string[] = [];
      const media = format === "msgpack" ? "application/msgpack" : "application/json";
      const client = new Client({
        url: "http://zizq.test",
        format,
        retry: false,
        fetch: async (input, init) => {
          const request = new Request(input, init);
          const url = new URL(request.url);
          requests.push(`${request.method} ${url.pathname}`);
          if (!url.pathname.startsWith("/jobs/take")) {
            assert.equal(request.headers.get("accept"), media, `accept of ${request.method} ${url.pathname}`);
            if (request.body) assert.equal(request.headers.get("content-type"), media, `content-type of ${request.method} ${url.pathname}`);
          }
          const response = await server.fetch(request);
          if (!url.pathname.startsWith("/jobs/take") && response.status !== 204) {
            assert.equal(response.headers.get("content-type"), media, `response type of ${request.method} ${url.pathname}`);
          }
          return response;
        },
      });
      return { server, client, requests, enqueued: [] };
    },
    close: ({ server }) => server.close(),
    steps: [
      {
        name: "enqueue with a schema",
        async run({ client, enqueued }, assert) {
          const one = await client.enqueue(SendEmail, { to: "a@example.com" }, { delay: 0 });
          assert.equal(one.type, "send_email");
          assert.equal(one.priority, 10);
          assert.equal(one.status, "ready");
          assert.equal(one.duplicate, false);
          enqueued.push(one);
        },
      },
      {
        name: "bulk enqueue of mixed types, in input order",
        async run({ client, requests, enqueued }, assert) {
          const bulk = await client.enqueueBulk([Resize.with({ width: 1 }), SendEmail.with({ to: "b@example.com" }), Resize.with({ width: 3 }, { priority: 1 })]);
          assert.equal(requests.at(-1), "POST /jobs/bulk");
          assert.deepEqual(
            bulk.map((job) => [job.type, job.priority]),
            [
              ["resize", 32768],
              ["send_email", 10],
              ["resize", 1],
            ],
          );
          enqueued.push(...bulk);
          assert.equal(await client.jobs().count(), 4);
          assert.equal(await client.jobs({ queue: "images" }).count(), 2);
          assert.equal(await client.jobs({ queue: [] }).count(), 0);
        },
      },
      {
        name: "take and ackMany, with a partial success",
        async run({ client, requests, enqueued }, assert) {
          const stream = await client.take({ prefetch: 0 });
          const reader = stream.getReader();
          const taken: Job[] = [];
          try {
            for (let i = 0; i < 4; i++) {
              const { value, done } = await within(reader.read(), "reading a take-stream frame");
              assert.ok(!done, "the take stream ended early");
              taken.push(value as Job);
            }
            assert.deepEqual(
              taken.map((job) => job.id).sort(),
              enqueued.map((job) => job.id).sort(),
            );
            assert.equal(taken[0]?.status, "in_flight");
            assert.equal(await client.jobs({ status: "in_flight" }).count(), 4);
            const first = await client.ackMany(taken.slice(0, 2).map((job) => job.id));
            assert.equal(requests.at(-1), "POST /jobs/success");
            assert.deepEqual(first, { notFound: [] });
            const partial = await client.ackMany([...taken.slice(2).map((job) => job.id), "bogus"]);
            assert.deepEqual(partial, { notFound: ["bogus"] });
          } finally {
            await reader.cancel();
          }
          assert.equal(await client.jobs().count(), 0);
        },
      },
      {
        name: "a 404 is its error class, with its status, server message, method and path",
        async run({ client, enqueued }, assert) {
          const id = enqueued[0]!.id;
          const missing = await caught(client.getJob(id));
          assert.ok(missing instanceof ZizqNotFoundError, `expected ZizqNotFoundError, got ${String(missing)}`);
          assert.ok(missing instanceof ZizqError);
          const notFound = missing as ZizqNotFoundError;
          assert.equal(notFound.status, 404);
          assert.equal(notFound.serverMessage, "job not found");
          assert.deepEqual(notFound.request, { method: "GET", path: `/jobs/${id}`, url: `http://zizq.test/jobs/${id}` });
        },
      },
      {
        name: "a schema failure names the path and sends nothing",
        async run({ client, requests }, assert) {
          const before = requests.length;
          const invalid = await caught(client.enqueue(Order, { items: [{ sku: 1 as unknown as string }] }));
          assert.ok(invalid instanceof ZizqValidationError, `expected ZizqValidationError, got ${String(invalid)}`);
          assert.equal((invalid as ZizqValidationError).issues[0]?.path, "items.0.sku");
          assert.equal(requests.length, before, "a failed validation sends nothing");
        },
      },
      {
        name: "no take stream is left open",
        run: ({ server }, assert) => assert.deepEqual(server.connections(), [], "open take streams"),
      },
    ],
  };
}
