/**
 * The Client walk every runtime runs (Bun, Deno, workerd; Node runs the full suite): enqueue
 * with a schema, bulk enqueue, take + ackMany (with its partial-success answer), a count, a 404
 * error class, a validation error that sends nothing, in the given wire format. It uses only
 * the web platform, and talks to the in-memory test server in-process through `server.fetch`.
 */
import * as v from "valibot";
import { Client, defineJob, type Format, type Job, ZizqError, ZizqNotFoundError, ZizqValidationError } from "../../src/index.ts";
import { createTestServer } from "../../src/testing/index.ts";
import { type SmokeAssert, within } from "./smoke-walk.ts";

/** The assertions the walk needs: the smoke walk's. */
export type ClientWalkAssert = SmokeAssert;

export interface ClientWalkResult {
  /** Requests the client sent, as `METHOD path`. */
  requests: string[];
  enqueued: number;
}


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

/** The walk against a fresh in-process test server, in one wire format. */
export async function clientWalk(format: Format, assert: ClientWalkAssert): Promise<ClientWalkResult> {
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
  try {
    // enqueue with a schema
    const one = await client.enqueue(SendEmail, { to: "a@example.com" }, { delay: 0 });
    assert.equal(one.type, "send_email");
    assert.equal(one.priority, 10);
    assert.equal(one.status, "ready");
    assert.equal(one.duplicate, false);

    // bulk, mixed types, in input order
    const bulk = await client.enqueueBulk([Resize.with({ width: 1 }), SendEmail.with({ to: "b@example.com" }), Resize.with({ width: 3 }, { priority: 1 })]);
    assert.deepEqual(
      bulk.map((job) => [job.type, job.priority]),
      [
        ["resize", 32768],
        ["send_email", 10],
        ["resize", 1],
      ],
    );
    assert.equal(await client.jobs().count(), 4);
    assert.equal(await client.jobs({ queue: "images" }).count(), 2);
    assert.equal(await client.jobs({ queue: [] }).count(), 0);

    // take + ackMany, with a partial success
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
        [one.id, ...bulk.map((job) => job.id)].sort(),
      );
      assert.equal(taken[0]?.status, "in_flight");
      assert.equal(await client.jobs({ status: "in_flight" }).count(), 4);
      const first = await client.ackMany(taken.slice(0, 2).map((job) => job.id));
      assert.deepEqual(first, { notFound: [] });
      const partial = await client.ackMany([...taken.slice(2).map((job) => job.id), "bogus"]);
      assert.deepEqual(partial, { notFound: ["bogus"] });
    } finally {
      await reader.cancel();
    }
    assert.equal(await client.jobs().count(), 0);

    // a 404 error class, with its status, server message, method and path
    const missing = await caught(client.getJob(one.id));
    assert.ok(missing instanceof ZizqNotFoundError, `expected ZizqNotFoundError, got ${String(missing)}`);
    assert.ok(missing instanceof ZizqError);
    const notFound = missing as ZizqNotFoundError;
    assert.equal(notFound.status, 404);
    assert.equal(notFound.serverMessage, "job not found");
    assert.deepEqual(notFound.request, { method: "GET", path: `/jobs/${one.id}`, url: `http://zizq.test/jobs/${one.id}` });

    // a schema failure names the path and sends nothing
    const before = requests.length;
    const invalid = await caught(client.enqueue(Order, { items: [{ sku: 1 as unknown as string }] }));
    assert.ok(invalid instanceof ZizqValidationError, `expected ZizqValidationError, got ${String(invalid)}`);
    assert.equal((invalid as ZizqValidationError).issues[0]?.path, "items.0.sku");
    assert.equal(requests.length, before, "a failed validation sends nothing");

    assert.deepEqual(server.connections(), [], "no take stream is left open");
    return { requests, enqueued: 1 + bulk.length };
  } finally {
    server.close();
  }
}
