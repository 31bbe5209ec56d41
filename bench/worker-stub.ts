/**
 * A minimal loopback stand-in for Zizq's take protocol, for `npm run bench -- worker`: it costs
 * the bench as little CPU as possible, so what is measured is the client.
 *
 * - `GET /jobs/take?prefetch=N[&queue=..]` streams pre-encoded job frames (NDJSON, or the
 *   length-prefixed MessagePack stream when `Accept` asks for it) while the connection holds
 *   fewer than N unacked jobs (0 = no limit), several frames per write, until the job budget is
 *   spent; then heartbeats every 3 s, as the server does.
 * - `POST /jobs/success` `{"ids":[...]}` (JSON or MessagePack): 204, or 422 `{"not_found":[...]}`.
 * - `POST /jobs/{id}/success`: 204 or 404. `POST /jobs/{id}/failure`: 200 with the job.
 * - A closed stream hands its unacked jobs back to the budget (the server requeues them).
 *
 * In-process: `await startStub()`. As its own process (so the client's CPU figures are clean):
 * `node --import tsx bench/worker-stub.ts` prints `Listening on <url>` and takes
 * `POST /bench/reset {"jobs":N}` (end open streams, zero the counters, set the budget) and `GET /bench/stats`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { decode, encode } from "@msgpack/msgpack";

export type StubFormat = "ndjson" | "msgpack";

export interface StubCounters {
  /** Job frames written to take streams. */
  jobsSent: number;
  /** `POST /jobs/success` requests. */
  bulkAcks: number;
  /** `POST /jobs/{id}/success` requests. */
  singleAcks: number;
  /** Ids completed by either kind of ack. */
  idsAcked: number;
  /** `POST /jobs/{id}/failure` requests. */
  failures: number;
  /** This process's CPU time (user + system) since the last reset, in µs. */
  cpuUs: number;
}

export interface Stub {
  readonly url: string;
  counters(): StubCounters;
  /** Ends every open take stream, zeroes the counters and sets the number of jobs left to hand out. */
  reset(jobs: number): void;
  /** Hands out `jobs` more (to the open streams, as far as their windows allow). */
  add(jobs: number): void;
  /** Called as each ack request arrives (before its body is read), with `performance.now()`. */
  onAck: ((at: number) => void) | undefined;
  close(): Promise<void>;
}

// ---- Frames --------------------------------------------------------------------------------

const NOW = Date.now();
const ID_LENGTH = 25;
const PLACEHOLDER = "~".repeat(ID_LENGTH);
/** Frames per `res.write` at most (about 64 KiB). */
const MAX_BATCH = 256;
const HEARTBEAT_MS = 3_000;
const HEARTBEAT = { ndjson: Buffer.from("\n"), msgpack: Buffer.alloc(4) };

/** A taken job, keys in the server's order; about 255 bytes as NDJSON (the DESIGN reference is 260). */
function sampleJob(n: number, id: string) {
  return {
    id,
    type: "noop",
    queue: "default",
    priority: 32_768,
    status: "in_flight",
    payload: { to: `user${1000 + n}@example.com`, subject: "Welcome aboard", template_id: 42 + n },
    ready_at: NOW + n,
    attempts: 0,
    dequeued_at: NOW + n + 1_234,
  };
}

/** An encoded frame with a placeholder id, and where the id's bytes go. */
interface Template {
  bytes: Buffer;
  idAt: number;
}

function template(format: StubFormat, n: number): Template {
  const job = sampleJob(n, PLACEHOLDER);
  let bytes: Buffer;
  if (format === "ndjson") bytes = Buffer.from(`${JSON.stringify(job)}\n`);
  else {
    const body = encode(job);
    bytes = Buffer.alloc(4 + body.byteLength);
    bytes.writeUInt32BE(body.byteLength, 0);
    bytes.set(body, 4);
  }
  return { bytes, idAt: bytes.indexOf(PLACEHOLDER) };
}

const POOL = 8;
const templates = {
  ndjson: Array.from({ length: POOL }, (_, n) => template("ndjson", n)),
  msgpack: Array.from({ length: POOL }, (_, n) => template("msgpack", n)),
};

/** scru128-like ids (25 base-36 characters), unique per process: a random prefix and a counter. */
const ID_PREFIX = `0${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`.slice(0, 15).padEnd(15, "0");
let nextSeq = 0;
const newId = () => ID_PREFIX + (nextSeq++).toString(36).padStart(ID_LENGTH - 15, "0");

/** `count` frames in one buffer, each a copy of a pooled template with a fresh id patched in. */
export function encodeFrames(format: StubFormat, count: number, ids?: string[]): Buffer {
  const pool = templates[format];
  let size = 0;
  for (let i = 0; i < count; i++) size += (pool[i % POOL] as Template).bytes.byteLength;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const { bytes, idAt } = pool[i % POOL] as Template;
    const id = newId();
    bytes.copy(out, pos);
    out.write(id, pos + idAt, "latin1");
    ids?.push(id);
    pos += bytes.byteLength;
  }
  return out;
}

// ---- Server --------------------------------------------------------------------------------

interface Conn {
  res: ServerResponse;
  format: StubFormat;
  prefetch: number;
  held: number;
  /** Waiting for `drain` after a write the socket did not take at once. */
  blocked: boolean;
  lastWrite: number;
}

const zero = (): StubCounters => ({ jobsSent: 0, bulkAcks: 0, singleAcks: 0, idsAcked: 0, failures: 0, cpuUs: 0 });

export async function startStub(): Promise<Stub> {
  let counters = zero();
  let cpuAtReset = process.cpuUsage();
  let budget = 0;
  const conns = new Set<Conn>();
  /** Which connection holds each unacked id. */
  const held = new Map<string, Conn>();

  const pump = (conn: Conn): void => {
    while (!conn.blocked && budget > 0) {
      const room = conn.prefetch === 0 ? MAX_BATCH : conn.prefetch - conn.held;
      const n = Math.min(room, budget, MAX_BATCH);
      if (n <= 0) return;
      const ids: string[] = [];
      const bytes = encodeFrames(conn.format, n, ids);
      for (const id of ids) held.set(id, conn);
      conn.held += n;
      budget -= n;
      counters.jobsSent += n;
      conn.lastWrite = performance.now();
      if (!conn.res.write(bytes)) conn.blocked = true;
    }
  };
  const pumpAll = () => {
    for (const conn of conns) pump(conn);
  };

  /** Completes `id` if it is held; false when it is not (a 404 or a `not_found`). */
  const complete = (id: string, touched: Set<Conn>): boolean => {
    const conn = held.get(id);
    if (conn === undefined) return false;
    held.delete(id);
    conn.held--;
    counters.idsAcked++;
    touched.add(conn);
    return true;
  };

  const take = (req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void => {
    const prefetch = Number(query.get("prefetch") ?? "1");
    if (!Number.isSafeInteger(prefetch) || prefetch < 0) return text(res, 400, "Failed to deserialize query string");
    const accept = req.headers.accept ?? "";
    const format: StubFormat = accept.includes("application/vnd.zizq.msgpack-stream") || accept.includes("application/msgpack") ? "msgpack" : "ndjson";
    res.writeHead(200, { "content-type": format === "msgpack" ? "application/vnd.zizq.msgpack-stream" : "application/x-ndjson" });
    res.flushHeaders();
    const conn: Conn = { res, format, prefetch, held: 0, blocked: false, lastWrite: performance.now() };
    conns.add(conn);
    res.on("drain", () => {
      conn.blocked = false;
      pump(conn);
    });
    res.on("close", () => {
      conns.delete(conn);
      // Requeue what it held (by count: a fresh id per hand-out is fine for a stub).
      for (const [id, owner] of held) if (owner === conn) held.delete(id);
      budget += conn.held;
      pumpAll();
    });
    pump(conn);
  };

  const bulkAck = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const msgpack = (req.headers["content-type"] ?? "").includes("application/msgpack");
    const raw = await body(req);
    let ids: unknown;
    try {
      ids = ((msgpack ? decode(raw) : JSON.parse(raw.toString())) as { ids?: unknown }).ids;
    } catch (error) {
      return reply(req, res, 400, { error: `invalid ${msgpack ? "MessagePack" : "JSON"}: ${String(error)}` });
    }
    if (!Array.isArray(ids) || ids.length === 0) return reply(req, res, 400, { error: "ids must not be empty" });
    counters.bulkAcks++;
    const touched = new Set<Conn>();
    const notFound: unknown[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      // A repeat within the request is not "not found": the server dedups first.
      if (!complete(String(id), touched) && ids.indexOf(id) === i) notFound.push(id);
    }
    if (notFound.length === 0) res.writeHead(204).end();
    else reply(req, res, 422, { not_found: notFound });
    for (const conn of touched) pump(conn);
  };

  const singleAck = async (req: IncomingMessage, res: ServerResponse, id: string): Promise<void> => {
    await body(req);
    counters.singleAcks++;
    const touched = new Set<Conn>();
    if (!complete(id, touched)) return reply(req, res, 404, { error: "job not found in in-flight set" });
    res.writeHead(204).end();
    for (const conn of touched) pump(conn);
  };

  const failure = async (req: IncomingMessage, res: ServerResponse, id: string): Promise<void> => {
    await body(req);
    counters.failures++;
    const conn = held.get(id);
    if (conn === undefined) return reply(req, res, 404, { error: "job not found in in-flight set" });
    held.delete(id);
    conn.held--;
    const { payload: _, ...job } = sampleJob(0, id);
    reply(req, res, 200, { ...job, status: "scheduled", attempts: 1, failed_at: Date.now() });
    pump(conn);
  };

  const stub: Stub = {
    url: "",
    onAck: undefined,
    counters: () => ({ ...counters, cpuUs: cpuUs(process.cpuUsage(cpuAtReset)) }),
    reset(jobs) {
      // A stream left by the last run (a runtime may close an aborted fetch's connection late)
      // would soak up the new budget unread: end every one, with nothing of theirs requeued.
      for (const conn of conns) {
        conns.delete(conn);
        conn.held = 0;
        conn.res.destroy();
      }
      held.clear();
      counters = zero();
      cpuAtReset = process.cpuUsage();
      budget = jobs;
    },
    add(jobs) {
      budget += jobs;
      pumpAll();
    },
    close: () => {
      clearInterval(heartbeats);
      for (const conn of conns) conn.res.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };

  const route = (req: IncomingMessage, res: ServerResponse): Promise<void> | void => {
    const url = new URL(req.url ?? "/", "http://stub");
    const path = url.pathname;
    if (req.method === "GET" && path === "/jobs/take") return take(req, res, url.searchParams);
    if (req.method === "POST" && path === "/jobs/success") return bulkAck(req, res);
    const one = /^\/jobs\/([^/]+)\/(success|failure)$/.exec(path);
    if (req.method === "POST" && one) return one[2] === "success" ? singleAck(req, res, one[1] as string) : failure(req, res, one[1] as string);
    if (req.method === "POST" && path === "/bench/reset") {
      return body(req).then((raw) => {
        stub.reset((JSON.parse(raw.toString()) as { jobs: number }).jobs);
        res.writeHead(204).end();
      });
    }
    if (req.method === "GET" && path === "/bench/stats") return reply(req, res, 200, stub.counters());
    reply(req, res, 404, { error: "not found" });
  };

  const server = createServer({ noDelay: true }, (req, res) => {
    // Timed at arrival, before the body is read: the idle-ack latency is handler end -> here.
    if (req.method === "POST" && req.url?.endsWith("/success")) stub.onAck?.(performance.now());
    Promise.resolve(route(req, res)).catch((error: unknown) => {
      if (!res.headersSent) reply(req, res, 500, { error: String(error) });
    });
  });
  const heartbeats = setInterval(() => {
    const now = performance.now();
    for (const conn of conns) {
      if (now - conn.lastWrite < HEARTBEAT_MS || conn.blocked) continue;
      conn.lastWrite = now;
      conn.res.write(HEARTBEAT[conn.format]);
    }
  }, HEARTBEAT_MS);
  heartbeats.unref();

  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  (stub as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return stub;
}

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** A body in the format `Accept` asks for, as the server answers (MessagePack wins when named). */
function reply(req: IncomingMessage, res: ServerResponse, status: number, value: unknown): void {
  if ((req.headers.accept ?? "").includes("application/msgpack")) {
    res.writeHead(status, { "content-type": "application/msgpack" }).end(encode(value));
  } else res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
}

function text(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(message);
}

const cpuUs = (usage: NodeJS.CpuUsage) => usage.user + usage.system;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const stub = await startStub();
  console.log(`Listening on ${stub.url}`);
}
