/**
 * nodeFetch's `Exchange` (adapters/node-fetch.ts, src/client/exchange.ts): the narrower path a
 * Client sends its unary calls through, checked against a real `node:http` server on loopback.
 * It answers what the client reads (status, headers, the body whole) without building a
 * `Response`, and fails as fetch does; through a Client, retries, timeouts and HTTP errors behave
 * as they do over fetch. The take stream still goes through the fetch.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { type NodeFetch, nodeFetch, serve } from "../../../adapters/node.ts";
import { TAKES_PLAIN_SIGNAL } from "../../../src/client/deadline.ts";
import { type Answer, EXCHANGE, type Exchange, type Outgoing } from "../../../src/client/exchange.ts";
import {
  Client,
  defineJob,
  Router,
  Worker,
  ZizqConnectionError,
  ZizqNotFoundError,
  ZizqRedirectError,
  ZizqServerError,
  ZizqTimeoutError,
} from "../../../src/index.ts";
import { createTestServer } from "../../../src/testing/index.ts";
import { routeServerPerFile } from "../../support/route-server.ts";
import { within } from "../../support/wait.ts";

const routes = routeServerPerFile();
const fetch: NodeFetch = nodeFetch();
const exchange = (fetch as unknown as { [EXCHANGE]: Exchange })[EXCHANGE];

afterAll(() => fetch.close());

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable("it resolved"),
    (error: unknown) => error,
  );
}

/** A `PlainSignal` the test aborts by hand, as a Client's deadline does when it passes. */
function plainSignal() {
  const listeners = new Set<() => void>();
  const signal = {
    aborted: false,
    reason: undefined as unknown,
    addEventListener: (_type: "abort", listener: () => void) => void listeners.add(listener),
    removeEventListener: (_type: "abort", listener: () => void) => void listeners.delete(listener),
    abort(reason: unknown) {
      signal.aborted = true;
      signal.reason = reason;
      for (const listener of listeners) listener();
    },
  };
  return signal;
}

const send = (path: string, more: Partial<Outgoing> = {}): Promise<Answer> =>
  exchange({ method: "GET", url: `${routes.url}${path}`, origin: routes.url, path, headers: {}, body: null, signal: undefined, ...more });

describe("nodeFetch's exchange over Dispatcher.request", () => {
  it("answers the status, headers by any case (a repeated one joined, all listed as pairs) and the body, with no Response", async () => {
    routes.route = (req, res) => {
      res.setHeader("x-many", ["a", "b"]);
      res.writeHead(201, { "content-type": "application/json", "x-path": req.url ?? "" }).end(JSON.stringify({ ok: true }));
    };
    const answer = await send("/jobs?limit=2");
    expect(answer).not.toBeInstanceOf(Response);
    expect([answer.status, answer.ok]).toEqual([201, true]);
    expect(answer.headers.get("Content-Type")).toBe("application/json");
    expect(answer.headers.get("x-path")).toBe("/jobs?limit=2");
    expect(answer.headers.get("x-many")).toBe("a, b");
    expect(answer.headers.get("x-missing")).toBeNull();
    expect([...answer.headers]).toEqual(expect.arrayContaining([["x-many", "a"], ["x-many", "b"], ["content-type", "application/json"]]));
    expect(JSON.parse(await answer.text())).toEqual({ ok: true });
  });

  it("sends the method, headers and a string or byte body; a 204 and a HEAD answer have no body; a 404 is an answer", async () => {
    const seen: string[] = [];
    routes.route = (req, res, body) => {
      seen.push(`${req.method} ${req.url} ${req.headers["content-type"]} ${body.toString()}`);
      res.writeHead(req.method === "HEAD" ? 200 : req.url === "/gone" ? 404 : 204, { "content-length": "0" }).end();
    };
    const empty = await send("/jobs/success", { method: "POST", headers: { "content-type": "application/json" }, body: '{"ids":["0a"]}' });
    expect([empty.status, empty.body, await empty.text()]).toEqual([204, null, ""]);
    const head = await send("/health", { method: "HEAD" });
    expect([head.status, head.body, (await head.arrayBuffer()).byteLength]).toEqual([200, null, 0]);
    const bytes = new TextEncoder().encode("packed") as Uint8Array<ArrayBuffer>;
    const gone = await send("/gone", { method: "PUT", headers: { "content-type": "application/msgpack" }, body: bytes });
    expect([gone.status, gone.ok, await gone.text()]).toEqual([404, false, ""]);
    expect(seen).toEqual(['POST /jobs/success application/json {"ids":["0a"]}', "HEAD /health undefined ", "PUT /gone application/msgpack packed"]);
  });

  it("an abort of its plain signal rejects with the reason: before sending, while waiting for the headers, and mid-body", async () => {
    const reason = new DOMException("no answer within 50 ms", "TimeoutError");
    const before = plainSignal();
    before.abort(reason);
    expect(await rejection(send("/x", { signal: before }))).toBe(reason);

    let arrived!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    routes.route = () => arrived(); // never answers
    const waiting = plainSignal();
    const pending = send("/x", { signal: waiting });
    await reached;
    waiting.abort(reason);
    expect(await rejection(pending)).toBe(reason);

    routes.route = (_req, res) => void res.writeHead(200, { "content-type": "text/plain" }).write("partial");
    const reading = plainSignal();
    const answer = await send("/x", { signal: reading });
    const text = answer.text();
    reading.abort(reason);
    expect(await rejection(text)).toBe(reason);
  });

  it("a refused connection is a TypeError with the socket error as its cause; a body cut short reads as TypeError", async () => {
    const refusing = createServer();
    await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
    const port = (refusing.address() as AddressInfo).port;
    await new Promise((resolve) => refusing.close(resolve));
    const refused = await rejection(send("/health", { origin: `http://127.0.0.1:${port}` }));
    expect(refused).toBeInstanceOf(TypeError);
    expect(((refused as TypeError).cause as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");

    routes.route = (_req, res) => {
      res.writeHead(200, { "content-length": "100" }).write("short");
      setImmediate(() => res.socket?.destroy());
    };
    const answer = await send("/x");
    expect(await rejection(answer.arrayBuffer())).toBeInstanceOf(TypeError);
  });

  it("cancelling the body frees the connection: the server sees it close", async () => {
    let closed!: () => void;
    const gone = new Promise<void>((resolve) => (closed = resolve));
    routes.route = (req, res) => {
      req.socket.once("close", closed);
      res.writeHead(200, { "content-type": "text/plain" }).write("never ends");
    };
    const answer = await send("/x");
    await answer.body?.cancel();
    await within(gone, "the connection's close");
  });
});

describe("a Client over nodeFetch's exchange", () => {
  it("sends unary calls through the exchange and the take stream through the fetch", async () => {
    const calls = { fetch: 0, exchange: 0 };
    const counted = Object.assign((input: string | URL | Request, init?: RequestInit) => (calls.fetch++, fetch(input, init)), {
      [TAKES_PLAIN_SIGNAL]: true,
      [EXCHANGE]: (outgoing: Outgoing) => (calls.exchange++, exchange(outgoing)),
    });
    const Ping = defineJob<{ n: number }>({ type: "ping", queue: "fast" });
    const zizq = await serve(createTestServer());
    try {
      const client = new Client({ url: zizq.url, fetch: counted });
      await client.enqueueBulk(Array.from({ length: 50 }, (_, n) => Ping.with({ n })));
      await client.enqueue(Ping, { n: 50 });
      const router = new Router().route(Ping, async () => {});
      const summary = await new Worker({ client, router, concurrency: 5 }).drain({ maxJobs: 51, maxDuration: 30_000 });
      expect(summary.completed).toBe(51);
      expect(await client.jobs({ queue: "fast", status: ["ready", "in_flight"] }).count()).toBe(0);
      expect(calls.fetch).toBe(1);
      expect(calls.exchange).toBeGreaterThanOrEqual(4);
    } finally {
      await zizq.close();
    }
  });

  it("sends to the base URL's path, and a retry to the same resource", async () => {
    const seen: string[] = [];
    routes.route = (req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(seen.length === 1 ? 502 : 204).end();
    };
    await new Client({ url: `${routes.url}/zizq/`, fetch, retry: { limit: 1, initialDelayMs: 1, maxDelayMs: 1 } }).ackMany(["0a"]);
    expect(seen).toEqual(["POST /zizq/jobs/success", "POST /zizq/jobs/success"]);
  });

  it("maps failures as over fetch: a 404 with the server's message, a redirect with its target, a timeout, a refused connection", async () => {
    routes.route = (_req, res) => void res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
    const client = new Client({ url: routes.url, fetch, retry: false });
    const missing = await rejection(client.getJob("0abc"));
    expect(missing).toBeInstanceOf(ZizqNotFoundError);
    expect((missing as ZizqNotFoundError).message).toContain("not found");

    routes.route = (_req, res) => void res.writeHead(307, { location: "/elsewhere" }).end();
    const redirected = await rejection(client.health());
    expect(redirected).toBeInstanceOf(ZizqRedirectError);
    expect((redirected as ZizqRedirectError).location).toBe(`${routes.url}/elsewhere`);

    routes.route = () => {}; // never answers
    const slow = new Client({ url: routes.url, fetch, timeoutMs: 50, retry: false });
    expect(await within(rejection(slow.health()), "a hung health check")).toBeInstanceOf(ZizqTimeoutError);

    const nowhere = new Client({ url: "http://127.0.0.1:9", fetch, retry: false });
    expect(await rejection(nowhere.health())).toBeInstanceOf(ZizqConnectionError);
  });

  it("retries a 503 after its Retry-After, and an ack whose retry finds the job gone landed; the last 5xx's message is kept", async () => {
    const statuses: number[] = [];
    const answers = [503, 204, 500, 404];
    routes.route = (_req, res) => {
      const status = answers.shift() ?? 502;
      statuses.push(status);
      if (status === 503) res.writeHead(503, { "retry-after": "0", "content-type": "application/json" }).end('{"error":"busy"}');
      else res.writeHead(status, { "content-type": "application/json" }).end(status === 204 ? undefined : '{"error":"oops"}');
    };
    const client = new Client({ url: routes.url, fetch, retry: { limit: 1, initialDelayMs: 1, maxDelayMs: 1 } });
    await client.ackMany(["0a"]);
    await client.ack("0b");
    const failed = await rejection(client.health());
    expect(failed).toBeInstanceOf(ZizqServerError);
    expect((failed as ZizqServerError).message).toContain("oops");
    expect(statuses).toEqual([503, 204, 500, 404, 502, 502]);
  });
});
