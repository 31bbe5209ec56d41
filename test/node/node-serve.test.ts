import { connect, constants, type ClientHttp2Session, type IncomingHttpHeaders } from "node:http2";
import { request as http1Request } from "node:http";
import { connect as tcpConnect, createServer as createTcpServer, type AddressInfo, type Socket } from "node:net";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve, type ServerHandle } from "../../adapters/node.ts";
import { within } from "../support/wait.ts";

function deferred(): { promise: Promise<void>; resolve: () => void; settled: () => boolean } {
  let resolve!: () => void;
  let done = false;
  const promise = new Promise<void>((r) => (resolve = r)).then(() => void (done = true));
  return { promise, resolve, settled: () => done };
}

/** One open `/stream` response, as the app sees it. */
interface StreamRecord {
  cancelled: ReturnType<typeof deferred>;
}

/**
 * A small app: a JSON route, a POST echo, and a never-ending NDJSON stream (a line every
 * 20 ms) that records when its body is cancelled, as the take stream relies on.
 */
function makeApp() {
  const streams: StreamRecord[] = [];
  const app = new Hono();
  app.get("/json", (c) => c.json({ hello: "world" }, 200, { "x-test": "yes" }));
  app.post("/echo", async (c) =>
    c.body(await c.req.text(), 201, { "content-type": c.req.header("content-type") ?? "text/plain" }),
  );
  app.get("/stream", () => {
    const record: StreamRecord = { cancelled: deferred() };
    streams.push(record);
    const encoder = new TextEncoder();
    let timer: NodeJS.Timeout | undefined;
    let n = 0;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        timer = setInterval(() => controller.enqueue(encoder.encode(`{"n":${n++}}\n`)), 20);
      },
      cancel() {
        clearInterval(timer);
        record.cancelled.resolve();
      },
    });
    return new Response(body, { headers: { "content-type": "application/x-ndjson" } });
  });
  // A take stream on an empty queue: headers at once, then nothing until cancelled.
  app.get("/silent", () => {
    const record: StreamRecord = { cancelled: deferred() };
    streams.push(record);
    const body = new ReadableStream<Uint8Array>({ cancel: () => record.cancelled.resolve() });
    return new Response(body, { headers: { "content-type": "application/x-ndjson" } });
  });
  return { app, streams };
}

interface H2Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function h2Request(session: ClientHttp2Session, headers: Record<string, string>, body?: string): Promise<H2Response> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === undefined });
    let responseHeaders: IncomingHttpHeaders = {};
    let text = "";
    stream.setEncoding("utf8");
    stream.on("response", (h) => (responseHeaders = h));
    stream.on("data", (chunk: string) => (text += chunk));
    stream.on("end", () => resolve({ status: Number(responseHeaders[":status"]), headers: responseHeaders, body: text }));
    stream.on("error", reject);
    if (body !== undefined) stream.end(body);
  });
}

function h2Connect(url: string): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(url);
    session.once("connect", () => resolve(session));
    session.once("error", reject);
  });
}

/** Reads `lines` NDJSON lines from an HTTP/2 stream; returns them and how many chunks carried them. */
function readH2Lines(session: ClientHttp2Session, path: string, lines: number) {
  const stream = session.request({ ":path": path });
  stream.setEncoding("utf8");
  const result = new Promise<{ status: number; contentType: string | undefined; lines: string[]; chunks: number }>(
    (resolve, reject) => {
      let status = 0;
      let contentType: string | undefined;
      let text = "";
      let chunks = 0;
      stream.on("response", (h) => {
        status = Number(h[":status"]);
        contentType = h["content-type"];
      });
      stream.on("data", (chunk: string) => {
        chunks++;
        text += chunk;
        const got = text.split("\n").filter(Boolean);
        if (got.length >= lines) resolve({ status, contentType, lines: got.slice(0, lines), chunks });
      });
      stream.on("error", reject);
      stream.on("end", () => reject(new Error("stream ended early")));
    },
  );
  return { stream, result };
}

/** Reads `lines` NDJSON lines from a fetch response body; returns them and how many reads carried them. */
async function readFetchLines(body: ReadableStream<Uint8Array>, lines: number) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let chunks = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error("stream ended early");
    chunks++;
    text += decoder.decode(value, { stream: true });
    const got = text.split("\n").filter(Boolean);
    if (got.length >= lines) {
      reader.releaseLock();
      return { lines: got.slice(0, lines), chunks };
    }
  }
}

async function readToEnd(body: ReadableStream<Uint8Array>): Promise<void> {
  const reader = body.getReader();
  while (!(await reader.read()).done);
}

/**
 * A TCP proxy that forwards a connection's first chunk in two writes, one byte and then the
 * rest, 30 ms apart: the server must decide between HTTP/1.1 and HTTP/2 on a short first read.
 */
async function splittingProxy(targetPort: number) {
  const sockets = new Set<Socket>();
  const server = createTcpServer((client) => {
    const upstream = tcpConnect(targetPort, "127.0.0.1");
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    }
    upstream.setNoDelay(true);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    upstream.pipe(client);
    client.once("data", (chunk: Buffer) => {
      client.pause();
      upstream.write(chunk.subarray(0, 1));
      setTimeout(() => {
        upstream.write(chunk.subarray(1));
        client.pipe(upstream);
      }, 30);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // fetch keeps its connection alive; without this, close waits for it to time out.
        for (const socket of sockets) socket.destroy();
      }),
  };
}

describe("serve (Node adapter)", () => {
  const { app, streams } = makeApp();
  let handle: ServerHandle;

  beforeAll(async () => {
    handle = await serve(app, { port: 0 });
  });
  afterAll(async () => {
    await handle?.close();
  });

  it("listens on a real port when asked for port 0", async () => {
    expect(handle.hostname).toBe("127.0.0.1");
    expect(handle.port).toBeGreaterThan(0);
    expect(handle.url).toBe(`http://127.0.0.1:${handle.port}`);
  });

  describe("HTTP/1.1", () => {
    it("serves JSON with the app's status and headers", async () => {
      const res = await fetch(`${handle.url}/json`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(res.headers.get("x-test")).toBe("yes");
      expect(await res.json()).toEqual({ hello: "world" });
    });

    it("passes a request body through", async () => {
      const res = await fetch(`${handle.url}/echo`, {
        method: "POST",
        headers: { "content-type": "application/x-test" },
        body: "hello over http/1.1",
      });
      expect(res.status).toBe(201);
      expect(res.headers.get("content-type")).toBe("application/x-test");
      expect(await res.text()).toBe("hello over http/1.1");
    });

    it("is HTTP/1.1 on the wire", async () => {
      const version = await new Promise<string>((resolve, reject) => {
        const req = http1Request(`${handle.url}/json`, (res) => {
          res.resume();
          resolve(res.httpVersion);
        });
        req.on("error", reject);
        req.end();
      });
      expect(version).toBe("1.1");
    });

    it("flushes a never-ending stream line by line and cancels it when the client disconnects", async () => {
      const before = streams.length;
      const abort = new AbortController();
      const res = await fetch(`${handle.url}/stream`, { signal: abort.signal });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/x-ndjson");
      // The body never ends, so every line read here was flushed while the stream was open.
      const { lines, chunks } = await within(readFetchLines(res.body!, 3), "three streamed lines");
      expect(lines).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);
      expect(chunks).toBeGreaterThanOrEqual(2);

      const record = streams[before]!;
      expect(record.cancelled.settled()).toBe(false);
      abort.abort();
      await within(record.cancelled.promise, "the stream's cancel after an HTTP/1.1 disconnect");
    });
  });

  it("sends headers at once for a stream with nothing to send yet, and cancels it on disconnect (HTTP/1.1)", async () => {
    const before = streams.length;
    const abort = new AbortController();
    const res = await within(fetch(`${handle.url}/silent`, { signal: abort.signal }), "headers of a silent stream");
    expect(res.status).toBe(200);
    abort.abort();
    await within(streams[before]!.cancelled.promise, "the silent stream's cancel after an HTTP/1.1 disconnect");
  });

  describe("HTTP/2 with prior knowledge (h2c)", () => {
    let session: ClientHttp2Session;
    beforeAll(async () => {
      session = await h2Connect(handle.url);
    });
    afterAll(() => {
      session?.destroy();
    });

    it("serves JSON with the app's status and headers", async () => {
      const res = await h2Request(session, { ":path": "/json" });
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      expect(res.headers["x-test"]).toBe("yes");
      expect(JSON.parse(res.body)).toEqual({ hello: "world" });
    });

    it("passes a request body through", async () => {
      const res = await h2Request(
        session,
        { ":path": "/echo", ":method": "POST", "content-type": "application/x-test" },
        "hello over h2c",
      );
      expect(res.status).toBe(201);
      expect(res.headers["content-type"]).toBe("application/x-test");
      expect(res.body).toBe("hello over h2c");
    });

    it("flushes a never-ending stream in several chunks and cancels it on RST_STREAM", async () => {
      const before = streams.length;
      const { stream, result } = readH2Lines(session, "/stream", 3);
      const got = await within(result, "three streamed lines over h2c");
      expect(got.status).toBe(200);
      expect(got.contentType).toBe("application/x-ndjson");
      expect(got.lines).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);
      expect(got.chunks).toBeGreaterThanOrEqual(2);

      const record = streams[before]!;
      expect(record.cancelled.settled()).toBe(false);
      stream.close(constants.NGHTTP2_CANCEL);
      await within(record.cancelled.promise, "the stream's cancel after RST_STREAM");
      // The connection itself stays usable.
      expect((await h2Request(session, { ":path": "/json" })).status).toBe(200);
    });

    it("sends headers at once for a stream with nothing to send yet, and cancels it on RST_STREAM", async () => {
      const before = streams.length;
      const stream = session.request({ ":path": "/silent" });
      const headers = await within(
        new Promise<IncomingHttpHeaders>((resolve) => stream.once("response", resolve)),
        "headers of a silent stream over h2c",
      );
      expect(headers[":status"]).toBe(200);
      stream.close(constants.NGHTTP2_CANCEL);
      await within(streams[before]!.cancelled.promise, "the silent stream's cancel after RST_STREAM");
    });

    it("cancels the stream when the whole connection drops", async () => {
      const own = await h2Connect(handle.url);
      const before = streams.length;
      const { result } = readH2Lines(own, "/stream", 1);
      await within(result, "a streamed line over h2c");
      const record = streams[before]!;
      own.destroy();
      await within(record.cancelled.promise, "the stream's cancel after the h2c connection dropped");
    });
  });

  it("tells HTTP/1.1 from HTTP/2 when the first bytes arrive in pieces", async () => {
    const proxy = await splittingProxy(handle.port);
    try {
      // "P" could begin the HTTP/2 preface ("PRI * ..."), so the server must wait for more.
      const res = await fetch(`http://127.0.0.1:${proxy.port}/echo`, { method: "POST", body: "split h1" });
      expect(await res.text()).toBe("split h1");

      const session = await h2Connect(`http://127.0.0.1:${proxy.port}`);
      try {
        const h2 = await h2Request(session, { ":path": "/echo", ":method": "POST" }, "split h2");
        expect(h2.body).toBe("split h2");
      } finally {
        session.destroy();
      }
    } finally {
      await proxy.close();
    }
  });
});

describe("closing", () => {
  it("close() ends live streams on both protocols, cancels their bodies and stops listening", async () => {
    const { app, streams } = makeApp();
    const handle = await serve(app);

    const res = await fetch(`${handle.url}/stream`);
    const h1Lines = readFetchLines(res.body!, 1);
    await within(h1Lines, "a line over HTTP/1.1");
    const session = await h2Connect(handle.url);
    const sessionClosed = new Promise((resolve) => session.once("close", resolve));
    session.on("error", () => {});
    const { stream, result } = readH2Lines(session, "/stream", 1);
    stream.on("error", () => {});
    await within(result, "a line over h2c");
    expect(streams).toHaveLength(2);

    await within(handle.close(), "close() with two live streams");
    // close() resolves only after the app has seen each response end.
    expect(streams.every((s) => s.cancelled.settled())).toBe(true);
    await within(sessionClosed, "the client's h2c session to close");
    // The client sees the connection cut mid-body (after whatever it had buffered).
    await expect(within(readToEnd(res.body!), "the HTTP/1.1 body to fail")).rejects.toThrow(/terminated/);
    await expect(fetch(`${handle.url}/json`)).rejects.toThrow();
    // Calling it again is harmless.
    await handle.close();
  });

  it("the signal option closes the server", async () => {
    const { app, streams } = makeApp();
    const abort = new AbortController();
    const handle = await serve(app, { signal: abort.signal });
    const res = await fetch(`${handle.url}/stream`);
    await within(readFetchLines(res.body!, 1), "a line over HTTP/1.1");

    abort.abort();
    await within(streams[0]!.cancelled.promise, "the stream's cancel after abort");
    await within(handle.close(), "close() after abort");
    await expect(fetch(`${handle.url}/json`)).rejects.toThrow();
  });
});
