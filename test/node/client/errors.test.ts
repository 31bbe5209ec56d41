/** Every error class the Client throws, with its status, server message, method and path. */
import { createServer } from "node:net";
import { encode } from "@msgpack/msgpack";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import {
  Client,
  defineJob,
  ZizqArgumentError,
  ZizqBadRequestError,
  ZizqConflictError,
  ZizqConnectionError,
  ZizqDecodeError,
  ZizqError,
  ZizqFrameError,
  ZizqHttpError,
  ZizqNotFoundError,
  ZizqProLicenseError,
  ZizqServerError,
  ZizqTimeoutError,
  ZizqUnprocessableError,
  ZizqValidationError,
  ZizqVersionError,
} from "../../../src/index.ts";
import { createTestServer } from "../../../src/testing/index.ts";
import { FORMATS, MODES, nextJob, rejection, setup, thrown, within } from "./harness.ts";

const Order = defineJob({
  type: "order",
  queue: "orders",
  schema: v.object({ items: v.array(v.object({ sku: v.string(), qty: v.number() })) }),
});
const Plain = defineJob<{ n: number }>({ type: "plain", queue: "q" });

/** A fetch answering every call with the given response, counting calls. */
function answering(make: () => Response) {
  const state = { calls: 0, requests: [] as Request[] };
  const fetch: typeof globalThis.fetch = async (input, init) => {
    state.calls++;
    state.requests.push(new Request(input, init));
    return make();
  };
  return { state, fetch };
}

describe.each(MODES.flatMap((mode) => FORMATS.map((format) => ({ mode, format }))))("HTTP error classes ($mode, $format)", ({ mode, format }) => {
  it("ZizqBadRequestError (400) carries status, server message, method and path", async () => {
    const s = await setup({ mode, format });
    try {
      const error = await rejection(s.client.enqueueRaw({ type: "", queue: "q", payload: null }));
      expect(error).toBeInstanceOf(ZizqBadRequestError);
      expect(error).toBeInstanceOf(ZizqHttpError);
      expect(error).toBeInstanceOf(ZizqError);
      expect(error).toMatchObject({
        name: "ZizqBadRequestError",
        status: 400,
        serverMessage: "type must not be empty",
        body: { error: "type must not be empty" },
        request: { method: "POST", path: "/jobs" },
      });
      expect((error as Error).message).toBe("POST /jobs: 400 type must not be empty");
    } finally {
      await s.close();
    }
  });

  it("ZizqProLicenseError (403) on the free tier says a pro licence is needed", async () => {
    const s = await setup({ mode, format, server: { license: "free" } });
    try {
      const Unique = defineJob<{ n: number }>({ type: "u", queue: "q", unique: { key: "k" } });
      const error = await rejection(s.client.enqueue(Unique, { n: 1 }));
      expect(error).toBeInstanceOf(ZizqProLicenseError);
      expect(error).toBeInstanceOf(ZizqHttpError);
      expect(error).toMatchObject({ status: 403, request: { method: "POST", path: "/jobs" } });
      expect((error as ZizqProLicenseError).serverMessage).toMatch(/requires a pro license/);
      expect((error as Error).message).toMatch(/needs a Zizq Pro licen[cs]e/i);
      expect(await s.client.jobs().count()).toBe(0);
    } finally {
      await s.close();
    }
  });

  it("ZizqNotFoundError (404) for a missing job, ack of a job not in flight, a missing error record", async () => {
    const s = await setup({ mode, format });
    try {
      const missing = await rejection(s.client.getJob("nope"));
      expect(missing).toBeInstanceOf(ZizqNotFoundError);
      expect(missing).toMatchObject({ status: 404, serverMessage: "job not found", request: { method: "GET", path: "/jobs/nope" } });
      const ack = await rejection(s.client.ack("bogus"));
      expect(ack).toMatchObject({ name: "ZizqNotFoundError", status: 404, serverMessage: "job not found in in-flight set", request: { method: "POST", path: "/jobs/bogus/success" } });
      const { id } = await s.client.enqueue(Plain, { n: 1 });
      const record = await rejection(s.client.getError(id, 1));
      expect(record).toMatchObject({ status: 404, serverMessage: "error record not found", request: { path: `/jobs/${id}/errors/1` } });
      // An id is put into the path percent-encoded.
      const odd = await rejection(s.client.getJob("a/b c"));
      expect(odd).toMatchObject({ status: 404, request: { path: "/jobs/a%2Fb%20c" } });
    } finally {
      await s.close();
    }
  });

  it("ZizqConflictError (409) when a cron entry is added twice", async () => {
    const s = await setup({ mode, format, server: { license: "pro" } });
    try {
      const entry = { name: "e1", expression: "* * * * *", job: Plain.with({ n: 1 }) };
      await s.client.crons.addEntry("g", entry);
      const error = await rejection(s.client.crons.addEntry("g", entry));
      expect(error).toBeInstanceOf(ZizqConflictError);
      expect(error).toMatchObject({ status: 409, request: { method: "POST", path: "/crons/g/entries" } });
      expect((error as ZizqConflictError).serverMessage).toMatch(/already exists/);
    } finally {
      await s.close();
    }
  });

  it("ZizqUnprocessableError (422) when patching a dead job", async () => {
    const s = await setup({ mode, format });
    try {
      const { id } = await s.client.enqueue(Plain, { n: 1 });
      const reader = (await s.client.take()).getReader();
      try {
        await nextJob(reader);
        await s.client.fail(id, { message: "fatal", kill: true });
      } finally {
        await reader.cancel();
      }
      const error = await rejection(s.client.patchJob(id, { priority: 1 }));
      expect(error).toBeInstanceOf(ZizqUnprocessableError);
      expect(error).toMatchObject({ status: 422, request: { method: "PATCH", path: `/jobs/${id}` } });
      expect((error as ZizqUnprocessableError).serverMessage).toBe(`cannot patch job ${id} in dead status`);
    } finally {
      await s.close();
    }
  });

  it("ZizqHttpError for other statuses (406), decoded from the JSON body whatever was asked for", async () => {
    const s = await setup({ mode, format, client: { headers: { accept: "text/html" } } });
    try {
      const error = await rejection(s.client.health());
      expect(error).toBeInstanceOf(ZizqHttpError);
      expect(error).not.toBeInstanceOf(ZizqBadRequestError);
      expect(error).toMatchObject({
        status: 406,
        serverMessage: "not acceptable",
        body: { error: "not acceptable", supported: ["application/json", "application/msgpack"] },
        request: { method: "GET", path: "/health" },
      });
    } finally {
      await s.close();
    }
  });
});

describe("errors from a fault-injecting fetch", () => {
  it("ZizqServerError for a 500, with the server's message (JSON and MessagePack bodies)", async () => {
    const json = answering(() => Response.json({ error: "internal server error" }, { status: 500 }));
    const client = new Client({ url: "http://zizq.test", fetch: json.fetch, retry: false });
    const error = await rejection(client.deleteJob("abc"));
    expect(error).toBeInstanceOf(ZizqServerError);
    expect(error).toMatchObject({ status: 500, serverMessage: "internal server error", request: { method: "DELETE", path: "/jobs/abc" } });
    expect((error as Error).message).toBe("DELETE /jobs/abc: 500 internal server error");

    const packed = answering(() => new Response(encode({ error: "internal error" }), { status: 502, headers: { "content-type": "application/msgpack" } }));
    const msgpackClient = new Client({ url: "http://zizq.test", fetch: packed.fetch, format: "msgpack", retry: false });
    const bad = await rejection(msgpackClient.crons.list());
    expect(bad).toBeInstanceOf(ZizqServerError);
    expect(bad).toMatchObject({ status: 502, serverMessage: "internal error", request: { method: "GET", path: "/crons" } });

    const text = answering(() => new Response("upstream exploded", { status: 503, headers: { "content-type": "text/plain" } }));
    const textClient = new Client({ url: "http://zizq.test", fetch: text.fetch, retry: false });
    expect(await rejection(textClient.health())).toMatchObject({ name: "ZizqServerError", status: 503, serverMessage: "upstream exploded" });
  });

  it("ZizqDecodeError for a body that is not what its Content-Type says", async () => {
    const json = answering(() => new Response("{not json", { status: 200, headers: { "content-type": "application/json" } }));
    const client = new Client({ url: "http://zizq.test", fetch: json.fetch, retry: false });
    const error = await rejection(client.serverVersion());
    expect(error).toBeInstanceOf(ZizqDecodeError);
    expect(error).toBeInstanceOf(ZizqError);
    expect(error).toMatchObject({ contentType: "application/json", request: { method: "GET", path: "/version" } });
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);

    const packed = answering(() => new Response(new Uint8Array([0xc1]), { status: 200, headers: { "content-type": "application/msgpack" } }));
    const msgpackClient = new Client({ url: "http://zizq.test", fetch: packed.fetch, format: "msgpack", retry: false });
    expect(await rejection(msgpackClient.queues())).toMatchObject({ name: "ZizqDecodeError", contentType: "application/msgpack", request: { path: "/queues" } });
  });

  it("an error status whose body cannot be decoded is still the status's class (ZizqServerError), not a ZizqDecodeError", async () => {
    const proxy = answering(() => new Response("<html>bad gateway</html>", { status: 502, headers: { "content-type": "application/json" } }));
    const client = new Client({ url: "http://zizq.test", fetch: proxy.fetch, retry: false });
    const error = await rejection(client.health());
    expect(error).toBeInstanceOf(ZizqServerError);
    expect(error).toMatchObject({ status: 502, request: { method: "GET", path: "/health" } });
  });

  it("ZizqTimeoutError when the headers arrive but the body stalls past timeoutMs", async () => {
    const stall = answering(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start: (controller) => controller.enqueue(new TextEncoder().encode('{"vers')),
          }),
          { status: 200, headers: { "content-type": "application/json" } },
        ),
    );
    const client = new Client({ url: "http://zizq.test", fetch: stall.fetch, timeoutMs: 50, retry: false });
    const error = await within(rejection(client.serverVersion()), 2_000, "serverVersion with a stalled body and timeoutMs: 50");
    expect(error).toBeInstanceOf(ZizqTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 50, request: { method: "GET", path: "/version" } });
  });

  it("ZizqConnectionError for a fetch that throws a TypeError", async () => {
    const cause = new TypeError("fetch failed");
    let calls = 0;
    const client = new Client({
      url: "http://zizq.test",
      retry: false,
      fetch: async () => {
        calls++;
        throw cause;
      },
    });
    const error = await rejection(client.enqueue(Plain, { n: 1 }));
    expect(error).toBeInstanceOf(ZizqConnectionError);
    expect(error).toMatchObject({ request: { method: "POST", path: "/jobs" } });
    expect((error as Error).cause).toBe(cause);
    expect((error as Error).message).toContain("fetch failed");
    expect(calls).toBe(1);
  });

  it("ZizqConnectionError for a real refused port", async () => {
    // Bind a port, then free it: nothing listens there any more.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const client = new Client({ url: `http://127.0.0.1:${port}`, retry: false });
    const error = await within(rejection(client.health()));
    expect(error).toBeInstanceOf(ZizqConnectionError);
    expect(error).toMatchObject({ request: { method: "GET", path: "/health" } });
    expect((error as Error).message).toMatch(/could not reach the Zizq server/);
  });

  it("ZizqTimeoutError for a fetch that never answers", async () => {
    let calls = 0;
    const client = new Client({
      url: "http://zizq.test",
      timeoutMs: 50,
      retry: false,
      fetch: () => {
        calls++;
        return new Promise<Response>(() => {});
      },
    });
    const error = await within(rejection(client.getJob("abc")));
    expect(error).toBeInstanceOf(ZizqTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 50, request: { method: "GET", path: "/jobs/abc" } });
    expect(calls).toBe(1);
  });

  it("ZizqValidationError names the path into the payload, and nothing is sent", async () => {
    const server = createTestServer();
    const sent = answering(() => new Response(null, { status: 599 }));
    const client = new Client({ url: "http://zizq.test", fetch: sent.fetch });
    const bad = { items: [{ sku: 1, qty: 2 }] };
    // @ts-expect-error sku must be a string
    const error = await rejection(client.enqueue(Order, bad));
    expect(error).toBeInstanceOf(ZizqValidationError);
    expect(error).toBeInstanceOf(ZizqError);
    const validation = error as ZizqValidationError;
    expect(validation.jobType).toBe("order");
    expect(validation.issues).toHaveLength(1);
    expect(validation.issues[0]?.path).toBe("items.0.sku");
    expect(validation.message).toContain("payload.items.0.sku");
    expect(validation.request).toBeUndefined();

    const two = await rejection(
      client.enqueueBulk([
        Order.with({ items: [{ sku: "ok", qty: 1 }] }),
        // @ts-expect-error qty must be a number
        Order.with({ items: [{ sku: "ok", qty: 1 }, { sku: "x", qty: "many" }] }),
      ]),
    );
    expect(two).toBeInstanceOf(ZizqValidationError);
    expect((two as ZizqValidationError).issues[0]?.path).toBe("items.1.qty");
    expect(sent.state.calls).toBe(0);
    server.close();
  });

  it("ZizqArgumentError names the field, and nothing is sent", async () => {
    const sent = answering(() => new Response(null, { status: 599 }));
    const client = new Client({ url: "http://zizq.test", fetch: sent.fetch });
    const cases: [string, () => unknown][] = [
      ["url", () => new Client({ url: "zizq.test" })],
      ["id", () => client.getJob("")],
      ["id", () => client.deleteJob("")],
      ["attempt", () => client.getError("abc", 0)],
      ["attempt", () => client.getError("abc", 1.5)],
      ["failure.message", () => client.fail("abc", {} as never)],
      ["failure.retryAt", () => client.fail("abc", { message: "x", retryAt: Number.NaN })],
      ["options.delay", () => Plain.with({ n: 1 }, { delay: "5m", readyAt: new Date() })],
      ["options.priority", () => client.enqueue(Plain, { n: 1 }, { priority: 70_000 })],
      ["options.retryLimit", () => client.enqueue(Plain, { n: 1 }, { retryLimit: -1 })],
      ["delay", () => client.enqueue(Plain, { n: 1 }, { delay: "5 minutes" as never })],
      ["uniqueWhile", () => client.enqueue(Plain, { n: 1 }, { uniqueWhile: "active" })],
      ["uniqueKey", () => client.enqueue(Plain, { n: 1 }, { uniqueKey: "k", batch: { key: "b", when: "true", fold: "$new" } })],
      ["type", () => defineJob({ type: "a,b", queue: "q" })],
      ["queue", () => defineJob({ type: "t", queue: "" })],
      // A query checks its options when it first runs, like its filter.
      ["pageSize", () => client.jobs().pageSize(0).toArray()],
      ["pageSize", () => client.errors("abc").pageSize(2001).toArray()],
      ["order", () => client.jobs().order("sideways" as never).toArray()],
      ["patch.payload", () => client.patchJob("abc", { payload: {} } as never)],
      ["patch.queue", () => client.patchJob("abc", { queue: "a,b" })],
      ["patch.priority", () => client.patchJob("abc", { priority: -1 })],
      ["prefetch", () => client.take({ prefetch: -1 })],
      ["filter.staus", () => client.jobs({ staus: "ready" } as never).count()],
      ["id", () => client.errors("").toArray()],
      ["id", () => client.ack("")],
      ["id", () => client.fail("", { message: "x" })],
    ];
    for (const [field, call] of cases) {
      let error: unknown;
      try {
        await call();
      } catch (caught) {
        error = caught;
      }
      expect(error, field).toBeInstanceOf(ZizqArgumentError);
      expect((error as ZizqArgumentError).field, field).toBe(field);
      expect((error as Error).message.startsWith(`${field}: `), field).toBe(true);
    }
    expect(sent.state.calls).toBe(0);
  });

  it("the tree: every class is a ZizqError and an Error, with its own name", () => {
    const request = { method: "GET", path: "/x" };
    const errors = [
      new ZizqBadRequestError(request, 400, "m", {}),
      new ZizqProLicenseError(request, 403, "m", {}),
      new ZizqNotFoundError(request, 404, "m", {}),
      new ZizqConflictError(request, 409, "m", {}),
      new ZizqUnprocessableError(request, 422, "m", {}),
      new ZizqServerError(request, 500, "m", {}),
      new ZizqDecodeError(request, "application/json", new SyntaxError("x")),
      new ZizqConnectionError(request, new TypeError("x")),
      new ZizqTimeoutError(request, 5),
      new ZizqValidationError("t", [{ path: "a", message: "m" }]),
      new ZizqArgumentError("f", "m"),
      new ZizqVersionError("1.0.0", 0),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(ZizqError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(error.constructor.name);
    }
    expect(thrown(() => new Client({ url: "ftp://x" }))).toBeInstanceOf(ZizqArgumentError);
  });
});

describe("failures that must not strand jobs or widen queries", () => {
  it("the test server's fetch can be handed to a client as is", async () => {
    const server = createTestServer();
    const client = new Client({ url: "http://zizq.test", fetch: server.fetch });
    expect(await client.serverVersion()).toBe("0.7.0");
    server.close();
  });

  it("a take that fails after the response arrived hands its jobs back", async () => {
    const server = createTestServer();
    const client = new Client({ url: "http://zizq.test", fetch: server.fetch });
    await client.enqueue(Plain, { n: 1 });
    // A proxy that relabels the stream: the server has already handed it the job.
    const other = new Client({
      url: "http://zizq.test",
      fetch: async (input, init) => {
        const response = await server.fetch(input, init);
        return new Response(response.body, { status: response.status, headers: { "content-type": "application/x-unknown" } });
      },
    });
    expect(await rejection(other.take({ prefetch: 1 }))).toBeInstanceOf(ZizqFrameError);
    await within((async () => {
      while ((await client.jobs({ status: "ready" }).count()) !== 1) await new Promise((r) => setTimeout(r, 5));
    })());
    expect(await rejection(client.take({ maxFrameBytes: -1 }))).toBeInstanceOf(ZizqArgumentError);
    expect(server.connections()).toEqual([]);
    server.close();
  });

  it("a filter key present with the value undefined is refused, so deleteAll cannot hit every job", async () => {
    const server = createTestServer();
    const client = new Client({ url: "http://zizq.test", fetch: server.fetch });
    await client.enqueue(Plain, { n: 1 });
    const unset: string | undefined = undefined;
    const error = await rejection(client.jobs({ queue: unset }).deleteAll());
    expect(error).toBeInstanceOf(ZizqArgumentError);
    expect((error as ZizqArgumentError).field).toBe("filter.queue");
    expect(await client.jobs().count()).toBe(1);
    server.close();
  });

  it("a timed-out attempt aborts its fetch, freeing the connection", async () => {
    let signal: AbortSignal | undefined;
    const client = new Client({
      url: "http://zizq.test",
      timeoutMs: 20,
      retry: false,
      fetch: (_input, init) => {
        signal = init?.signal ?? undefined;
        return new Promise<Response>(() => undefined);
      },
    });
    expect(await within(rejection(client.health()))).toBeInstanceOf(ZizqTimeoutError);
    expect(signal?.aborted).toBe(true);
  });
});
