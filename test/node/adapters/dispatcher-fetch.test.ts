/**
 * nodeFetch's engine (adapters/node-fetch.ts): a fetch over undici's `Dispatcher.request`, checked
 * against a real `node:http` server on loopback. It must look like fetch wherever the client
 * relies on it: a global `Response` with status, headers and a streaming body; a request body of
 * any kind fetch takes; an abort rejecting with the signal's reason before and after the headers;
 * a lost connection as fetch's `TypeError`. The client's error mapping is checked through it too.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { type NodeFetch, nodeClient, nodeFetch, serve } from "../../../adapters/node.ts";
import { Client, defineJob, Router, Worker, ZizqConnectionError, ZizqNotFoundError, ZizqTimeoutError } from "../../../src/index.ts";
import { createTestServer } from "../../../src/testing/index.ts";
import { routeServerPerFile } from "../../support/route-server.ts";
import { eventually, within } from "../../support/wait.ts";

const routes = routeServerPerFile();
const fetch: NodeFetch = nodeFetch();

afterAll(() => fetch.close());

/** A promise and its resolver, for steps the server and the test take in turn. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable("it resolved"),
    (error: unknown) => error,
  );
}

describe("nodeFetch over Dispatcher.request", () => {
  it("answers a global Response with the status, every header (repeated ones too), the url and the body", async () => {
    routes.route = (req, res) => {
      res.setHeader("set-cookie", ["a=1", "b=2"]);
      res.writeHead(201, { "content-type": "application/json", "x-path": req.url ?? "" }).end(JSON.stringify({ ok: true }));
    };
    const response = await fetch(`${routes.url}/jobs?limit=2`);
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.url).toBe(`${routes.url}/jobs?limit=2`);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-path")).toBe("/jobs?limit=2");
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await response.json()).toEqual({ ok: true });
  });

  it("a 204 and a HEAD answer have no body; a 404 is an answer, not an error", async () => {
    routes.route = (req, res) => void res.writeHead(req.method === "HEAD" ? 200 : req.url === "/gone" ? 404 : 204, { "content-length": "0" }).end();
    const empty = await fetch(`${routes.url}/jobs/success`, { method: "POST", body: "{}" });
    expect([empty.status, empty.body]).toEqual([204, null]);
    const head = await fetch(`${routes.url}/health`, { method: "HEAD" });
    expect([head.status, head.body]).toEqual([200, null]);
    const gone = await fetch(`${routes.url}/gone`);
    expect([gone.status, gone.ok, await gone.text()]).toEqual([404, false, ""]);
  });

  it("sends the method, headers and body as given: a string, bytes, a Headers object, form data encoded with its type, a Request", async () => {
    const seen: { method?: string; type?: string; custom?: string; body: string }[] = [];
    routes.route = (req, res, body) => {
      seen.push({ method: req.method, type: req.headers["content-type"], custom: req.headers["x-custom"] as string | undefined, body: body.toString() });
      res.writeHead(204).end();
    };
    await fetch(`${routes.url}/a`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"n":1}' });
    await fetch(`${routes.url}/b`, { method: "put", headers: new Headers({ "x-custom": "yes" }), body: new TextEncoder().encode("bytes") });
    await fetch(`${routes.url}/c`, { method: "POST", body: new URLSearchParams({ q: "1 2" }) });
    await fetch(new Request(`${routes.url}/d`, { method: "PATCH", headers: { "x-custom": "req" }, body: "from a request" }));
    expect(seen).toEqual([
      { method: "POST", type: "application/json", custom: undefined, body: '{"n":1}' },
      { method: "PUT", type: undefined, custom: "yes", body: "bytes" },
      { method: "POST", type: "application/x-www-form-urlencoded;charset=UTF-8", custom: undefined, body: "q=1+2" },
      { method: "PATCH", type: "text/plain;charset=UTF-8", custom: "req", body: "from a request" },
    ]);
  });

  it("streams the body: a chunk is readable before the server ends the response, and cancelling closes the connection", async () => {
    const closed = signal();
    routes.route = (_req, res) => {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.write('{"id":"1"}\n');
      res.once("close", closed.resolve);
    };
    const response = await fetch(`${routes.url}/jobs/take`);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('{"id":"1"}\n');
    await reader.cancel();
    await closed.promise;
  });

  it("a body is read once, whichever way: a whole read after a reader, a second whole read and a clone's copy behave as fetch's do", async () => {
    routes.route = (_req, res) => void res.writeHead(200, { "content-type": "application/json" }).end('{"n":1}');
    const twice = await fetch(`${routes.url}/x`);
    expect(await twice.json()).toEqual({ n: 1 });
    expect(twice.bodyUsed).toBe(true);
    expect(await rejection(twice.text())).toBeInstanceOf(TypeError);

    const streamed = await fetch(`${routes.url}/x`);
    const reader = (streamed.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('{"n":1}');
    expect(await rejection(streamed.text())).toBeInstanceOf(TypeError);

    const original = await fetch(`${routes.url}/x`);
    const copy = original.clone();
    expect([await original.text(), await copy.arrayBuffer().then((bytes) => new TextDecoder().decode(bytes))]).toEqual(['{"n":1}', '{"n":1}']);
  });

  it("a body read whole is used: its stream, asked for afterwards, is there but cannot be read", async () => {
    routes.route = (_req, res) => void res.writeHead(200, { "content-type": "text/plain" }).end("whole");
    const response = await fetch(`${routes.url}/x`);
    expect(response.bodyUsed).toBe(false);
    expect(await response.text()).toBe("whole");
    expect(response.bodyUsed).toBe(true);
    expect(response.body).toBeInstanceOf(ReadableStream);
    expect(await rejection(response.blob())).toBeInstanceOf(TypeError);
  });

  it("a body that breaks before anyone reads it is no unhandled error; reading it then rejects with TypeError", async () => {
    const broken = signal();
    routes.route = (_req, res) => {
      res.writeHead(200, { "content-length": "100" }).write("short");
      setImmediate(() => {
        res.socket?.destroy();
        broken.resolve();
      });
    };
    const response = await fetch(`${routes.url}/x`);
    await broken.promise;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await rejection(response.arrayBuffer())).toBeInstanceOf(TypeError);
  });

  it("sends each request to its own URL: the same text again, and again after 300 others (its parse is kept, within a bound)", async () => {
    const seen: string[] = [];
    routes.route = (req, res) => {
      seen.push(String(req.url));
      res.writeHead(204).end();
    };
    const paths = ["/jobs/success", "/jobs/success", ...Array.from({ length: 300 }, (_, i) => `/jobs/${i}/success?n=${i}`), "/jobs/success"];
    for (const path of paths) expect((await fetch(`${routes.url}${path}`, { method: "POST" })).url).toBe(`${routes.url}${path}`);
    expect(seen).toEqual(paths);
  });

  it("headers first read after the body are the answer's, in one Headers object", async () => {
    routes.route = (_req, res) => void res.writeHead(200, { "content-type": "text/plain", "x-late": "yes" }).end("body");
    const response = await fetch(`${routes.url}/x`);
    const copy = response.clone();
    expect(await response.text()).toBe("body");
    expect(response.headers.get("x-late")).toBe("yes");
    expect(response.headers).toBe(response.headers);
    expect(copy.headers.get("content-type")).toBe("text/plain");
  });

  it("an abort rejects with the signal's reason: before sending, while waiting for the headers, and mid-body", async () => {
    const reason = new Error("stop now");
    const before = new AbortController();
    before.abort(reason);
    expect(await rejection(fetch(`${routes.url}/x`, { signal: before.signal }))).toBe(reason);

    const arrived = signal();
    routes.route = () => arrived.resolve(); // never answers
    const waiting = new AbortController();
    const pending = fetch(`${routes.url}/x`, { signal: waiting.signal });
    await arrived.promise;
    waiting.abort(reason);
    expect(await rejection(pending)).toBe(reason);

    routes.route = (_req, res) => void res.writeHead(200).write("partial");
    const reading = new AbortController();
    const response = await fetch(`${routes.url}/x`, { signal: reading.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    reading.abort();
    const error = await rejection(reader.read());
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("AbortError");
  });

  it("a refused connection is fetch's TypeError with the socket error as its cause; a connection lost mid-body errors the stream with TypeError", async () => {
    const refusing = createServer();
    await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
    const port = (refusing.address() as AddressInfo).port;
    await new Promise((resolve) => refusing.close(resolve));
    const refused = await rejection(fetch(`http://127.0.0.1:${port}/health`));
    expect(refused).toBeInstanceOf(TypeError);
    expect((refused as TypeError).message).toBe("fetch failed");
    expect(((refused as TypeError).cause as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");

    routes.route = (_req, res) => {
      res.writeHead(200, { "content-length": "100" }).write("short");
      setImmediate(() => res.socket?.destroy());
    };
    const response = await fetch(`${routes.url}/x`);
    const lost = await rejection(response.text());
    expect(lost).toBeInstanceOf(TypeError);
  });

  it("the client maps its failures as it does fetch's: connection error, timeout, HTTP status", async () => {
    routes.route = () => {}; // never answers
    const slow = new Client({ url: routes.url, fetch, timeoutMs: 50, retry: false });
    expect(await rejection(slow.health())).toBeInstanceOf(ZizqTimeoutError);

    routes.route = (_req, res) => void res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
    const client = new Client({ url: routes.url, fetch, retry: false });
    const missing = await rejection(client.getJob("0abc"));
    expect(missing).toBeInstanceOf(ZizqNotFoundError);
    expect((missing as ZizqNotFoundError).message).toContain("not found");

    const nowhere = new Client({ url: "http://127.0.0.1:9", fetch, retry: false });
    expect(await rejection(nowhere.health())).toBeInstanceOf(ZizqConnectionError);
  });

  // The Client hands nodeFetch its deadline as a plain signal (src/client/deadline.ts), global fetch an AbortSignal: both must end a hung call.
  for (const [name, send] of [["nodeFetch", () => fetch], ["global fetch", () => globalThis.fetch]] as const) {
    it(`over ${name}, a hung bulk ack times out with ZizqTimeoutError on every attempt, and each attempt's connection is dropped`, async () => {
      const dropped: string[] = [];
      routes.route = (req) => void req.socket.once("close", () => dropped.push(String(req.url))); // never answers
      const client = new Client({ url: routes.url, fetch: send(), timeoutMs: 50, retry: { limit: 1, initialDelayMs: 1, maxDelayMs: 1 } });
      const error = await within(rejection(client.ackMany(["0a", "0b"])), "a hung ackMany");
      expect(error).toBeInstanceOf(ZizqTimeoutError);
      expect(error).toMatchObject({ timeoutMs: 50, request: { method: "POST", path: "/jobs/success" } });
      await eventually(() => dropped.length === 2, "both attempts' connections closed");
      expect(dropped).toEqual(["/jobs/success", "/jobs/success"]);
    });

    it(`over ${name}, an answer whose body stalls past the deadline is a ZizqTimeoutError`, async () => {
      routes.route = (_req, res) => void res.writeHead(200, { "content-type": "application/json" }).write('{"vers');
      const client = new Client({ url: routes.url, fetch: send(), timeoutMs: 50, retry: false });
      const error = await within(rejection(client.serverVersion()), "a stalled serverVersion");
      expect(error).toBeInstanceOf(ZizqTimeoutError);
      expect(error).toMatchObject({ timeoutMs: 50, request: { method: "GET", path: "/version" } });
    });
  }

  it("nodeClient sends through it (no fetch-only headers such as sec-fetch-mode), and a given fetch wins", async () => {
    const seen: string[] = [];
    routes.route = (req, res) => {
      seen.push(String(req.headers["sec-fetch-mode"]));
      res.writeHead(204).end();
    };
    await nodeClient({ url: routes.url }).ackMany(["0a"]);
    await nodeClient({ url: routes.url, fetch: globalThis.fetch }).ackMany(["0b"]);
    expect(seen).toEqual(["undefined", "cors"]);
  });

  it("a Worker made with nodeClient drains jobs from the test server over a real port: take stream and bulk acks", async () => {
    const Ping = defineJob<{ n: number }>({ type: "ping", queue: "fast" });
    const zizq = await serve(createTestServer());
    try {
      const client = nodeClient({ url: zizq.url });
      await client.enqueueBulk(Array.from({ length: 300 }, (_, n) => Ping.with({ n })));
      const seen = new Set<number>();
      const router = new Router().route(Ping, async ({ n }) => void seen.add(n));
      const summary = await new Worker({ client, router, concurrency: 10 }).drain({ maxJobs: 300, maxDuration: 30_000 });
      expect(summary.completed).toBe(300);
      expect(seen.size).toBe(300);
      expect(await client.jobs({ queue: "fast", status: ["ready", "in_flight"] }).count()).toBe(0);
    } finally {
      await zizq.close();
    }
  });
});
