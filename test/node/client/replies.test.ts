/**
 * Every reply is checked against what its endpoint answers: a server on a real socket answers each
 * Client call with a maintenance page, an empty body, null, [] and a wrongly typed field, and each
 * must be a ZizqDecodeError naming the endpoint (with the base URL's path) and what was wrong.
 */
import { encode } from "@msgpack/msgpack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, defineJob, type Format, ZizqDecodeError, ZizqFrameError } from "../../../src/index.ts";
import { rejection } from "./harness.ts";
import { type Stub, type StubAnswer, startStub } from "./stub-server.ts";

const ID = "03fr1jkpcsipbsckqj0y6pgr7";
const Plain = defineJob<{ n: number }>({ type: "t", queue: "q" });

// Valid answers, each with a key from a newer server, which must be passed over.
const NEWER = { from_a_newer_server: { x: 1 } };
const JOB = { id: ID, type: "t", queue: "q", priority: 1, status: "ready", ready_at: 1, attempts: 0, ...NEWER };
const WITH_PAYLOAD = { ...JOB, payload: null };
const ENQUEUED = { ...JOB, duplicate: false, folded: false };
const PAGES = { self: "/jobs?order=asc&limit=50", next: null, prev: null };
const ERROR_RECORD = { attempt: 1, message: "boom", dequeued_at: 1, failed_at: 2, ...NEWER };
const ENTRY = { name: "e", expression: "* * * * *", paused: false, job: { type: "t", queue: "q", priority: 1, payload: null }, ...NEWER };
const GROUP = { name: "g", paused: false, entries: [ENTRY], ...NEWER };
const entryInput = { name: "e", expression: "* * * * *", job: Plain.with({ n: 1 }) };

interface Row {
  call: string;
  run: (client: Client) => Promise<unknown>;
  method: string;
  /** Path and query after the base URL. */
  path: string;
  valid: unknown;
  /** A body of the right overall kind with one field wrong, and that field's path. */
  wrong: [body: unknown, field: string];
}

const ROWS: Row[] = [
  { call: "enqueue", run: (c) => c.enqueue(Plain, { n: 1 }), method: "POST", path: "/jobs", valid: ENQUEUED, wrong: [{ ...ENQUEUED, id: 42 }, "id"] },
  {
    call: "enqueueBulk",
    run: (c) => c.enqueueBulk([Plain.with({ n: 1 }), Plain.with({ n: 2 })]),
    method: "POST",
    path: "/jobs/bulk",
    valid: { jobs: [ENQUEUED, ENQUEUED] },
    // One answer for two jobs would lose the second silently.
    wrong: [{ jobs: [ENQUEUED] }, "jobs"],
  },
  { call: "enqueueRaw", run: (c) => c.enqueueRaw({ type: "t", queue: "q", payload: 1 }), method: "POST", path: "/jobs", valid: ENQUEUED, wrong: [JOB, "duplicate"] },
  { call: "fail", run: (c) => c.fail(ID, { message: "m" }), method: "POST", path: `/jobs/${ID}/failure`, valid: JOB, wrong: [{ ...JOB, status: null }, "status"] },
  { call: "getJob", run: (c) => c.getJob(ID), method: "GET", path: `/jobs/${ID}`, valid: WITH_PAYLOAD, wrong: [JOB, "payload"] },
  { call: "patchJob", run: (c) => c.patchJob(ID, { priority: 1 }), method: "PATCH", path: `/jobs/${ID}`, valid: JOB, wrong: [{ ...JOB, backoff: { exponent: 1, base_ms: "1", jitter_ms: 0 } }, "backoff.base_ms"] },
  { call: "getError", run: (c) => c.getError(ID, 1), method: "GET", path: `/jobs/${ID}/errors/1`, valid: ERROR_RECORD, wrong: [{ ...ERROR_RECORD, message: 1 }, "message"] },
  { call: "queues", run: (c) => c.queues(), method: "GET", path: "/queues", valid: { queues: ["a"] }, wrong: [{ queues: ["a", 2] }, "queues[1]"] },
  { call: "health", run: (c) => c.health(), method: "GET", path: "/health", valid: { status: "ok" }, wrong: [{ ok: true }, "status"] },
  { call: "serverVersion", run: (c) => c.serverVersion(), method: "GET", path: "/version", valid: { version: "0.6.1" }, wrong: [{ version: 6 }, "version"] },
  { call: "checkCompatibility", run: (c) => c.checkCompatibility(), method: "GET", path: "/version", valid: { version: "0.6.1" }, wrong: [{}, "version"] },
  {
    call: "jobs().toArray",
    run: (c) => c.jobs().toArray(),
    method: "GET",
    path: "/jobs?order=asc&limit=50",
    valid: { jobs: [WITH_PAYLOAD], pages: PAGES },
    wrong: [{ jobs: [WITH_PAYLOAD, { ...WITH_PAYLOAD, ready_at: "soon" }], pages: PAGES }, "jobs[1].ready_at"],
  },
  {
    call: "jobs().first",
    run: (c) => c.jobs().first(),
    method: "GET",
    path: "/jobs?order=asc&limit=1",
    valid: { jobs: [WITH_PAYLOAD], pages: PAGES },
    // A link to another origin is not a page of this server.
    wrong: [{ jobs: [WITH_PAYLOAD], pages: { ...PAGES, next: "http://elsewhere.test/jobs" } }, "pages.next"],
  },
  { call: "jobs().count", run: (c) => c.jobs().count(), method: "GET", path: "/jobs/count", valid: { count: 3 }, wrong: [{ count: "3" }, "count"] },
  { call: "jobs().updateAll", run: (c) => c.jobs().updateAll({ priority: 1 }), method: "PATCH", path: "/jobs", valid: { patched: 1 }, wrong: [{ count: 1 }, "patched"] },
  { call: "jobs().deleteAll", run: (c) => c.jobs().deleteAll(), method: "DELETE", path: "/jobs", valid: { deleted: 1 }, wrong: [{ deleted: null }, "deleted"] },
  {
    call: "errors().toArray",
    run: (c) => c.errors(ID).toArray(),
    method: "GET",
    path: `/jobs/${ID}/errors?order=asc&limit=50`,
    valid: { errors: [ERROR_RECORD], pages: PAGES },
    wrong: [{ errors: [ERROR_RECORD], pages: { ...PAGES, prev: 1 } }, "pages.prev"],
  },
  { call: "crons.list", run: (c) => c.crons.list(), method: "GET", path: "/crons", valid: { crons: ["g"] }, wrong: [{ crons: "g" }, "crons"] },
  { call: "crons.get", run: (c) => c.crons.get("g"), method: "GET", path: "/crons/g", valid: GROUP, wrong: [{ ...GROUP, entries: [{ ...ENTRY, job: { ...ENTRY.job, priority: null } }] }, "entries[0].job.priority"] },
  { call: "crons.put", run: (c) => c.crons.put("g", { entries: [entryInput] }), method: "PUT", path: "/crons/g", valid: GROUP, wrong: [{ ...GROUP, paused: "no" }, "paused"] },
  { call: "crons.pause", run: (c) => c.crons.pause("g"), method: "PATCH", path: "/crons/g", valid: GROUP, wrong: [{ ...GROUP, paused_at: "now" }, "paused_at"] },
  { call: "crons.resume", run: (c) => c.crons.resume("g"), method: "PATCH", path: "/crons/g", valid: GROUP, wrong: [{ ...GROUP, entries: {} }, "entries"] },
  { call: "crons.deleteAll", run: (c) => c.crons.deleteAll(), method: "DELETE", path: "/crons", valid: { deleted: 0 }, wrong: [{}, "deleted"] },
  { call: "crons.addEntry", run: (c) => c.crons.addEntry("g", entryInput), method: "POST", path: "/crons/g/entries", valid: ENTRY, wrong: [{ ...ENTRY, job: { type: "t", queue: "q", priority: 1 } }, "job.payload"] },
  { call: "crons.getEntry", run: (c) => c.crons.getEntry("g", "e"), method: "GET", path: "/crons/g/entries/e", valid: ENTRY, wrong: [{ ...ENTRY, expression: [] }, "expression"] },
  { call: "crons.putEntry", run: (c) => c.crons.putEntry("g", entryInput), method: "PUT", path: "/crons/g/entries/e", valid: ENTRY, wrong: [{ ...ENTRY, timezone: 1 }, "timezone"] },
  { call: "crons.pauseEntry", run: (c) => c.crons.pauseEntry("g", "e"), method: "PATCH", path: "/crons/g/entries/e", valid: ENTRY, wrong: [{ ...ENTRY, next_enqueue_at: "x" }, "next_enqueue_at"] },
  { call: "crons.resumeEntry", run: (c) => c.crons.resumeEntry("g", "e"), method: "PATCH", path: "/crons/g/entries/e", valid: ENTRY, wrong: [{ ...ENTRY, job: null }, "job"] },
];

/** Calls whose endpoint answers 204 with no body. */
const NO_CONTENT: Omit<Row, "valid" | "wrong">[] = [
  { call: "ack", run: (c) => c.ack(ID), method: "POST", path: `/jobs/${ID}/success` },
  { call: "ackMany", run: (c) => c.ackMany([ID]), method: "POST", path: "/jobs/success" },
  { call: "deleteJob", run: (c) => c.deleteJob(ID), method: "DELETE", path: `/jobs/${ID}` },
  { call: "reset", run: (c) => c.reset(), method: "POST", path: "/reset" },
  { call: "crons.delete", run: (c) => c.crons.delete("g"), method: "DELETE", path: "/crons/g" },
  { call: "crons.deleteEntry", run: (c) => c.crons.deleteEntry("g", "e"), method: "DELETE", path: "/crons/g/entries/e" },
];

const MAINTENANCE: StubAnswer = { status: 200, type: "text/html; charset=utf-8", body: "<html><body>Back soon</body></html>" };

/** A 200 answer carrying `value` in the client's format (undefined: an empty body). */
function answer(format: Format, value: unknown): StubAnswer {
  if (format === "msgpack") return { type: "application/msgpack", body: value === undefined ? "" : encode(value) };
  return { type: "application/json", body: value === undefined ? "" : JSON.stringify(value) };
}

let stub: Stub;
beforeAll(async () => {
  stub = await startStub();
});
afterAll(() => stub.close());

describe.each(["json", "msgpack"] as const)("every reply is checked (%s)", (format) => {
  // A base path, so every message must show it.
  const client = () => new Client({ url: `${stub.url}/zizq`, format, retry: false });

  async function refusal(row: Pick<Row, "run" | "method" | "path">, reply: StubAnswer): Promise<ZizqDecodeError> {
    stub.answer = () => reply;
    const error = await rejection(row.run(client()));
    expect(error).toBeInstanceOf(ZizqDecodeError);
    const { message, request } = error as ZizqDecodeError;
    expect(message.startsWith(`${row.method} /zizq${row.path}: expected `), message).toBe(true);
    expect(request).toEqual({ method: row.method, path: `/zizq${row.path}`, url: `${stub.url}/zizq${row.path}` });
    return error as ZizqDecodeError;
  }

  it.each(ROWS)("$call accepts its endpoint's answer, with keys it does not know", async (row) => {
    stub.answer = () => answer(format, row.valid);
    await expect(row.run(client())).resolves.toBeDefined();
  });

  it("reads a null optional field as absent, as Zizq reads its own request bodies", async () => {
    const nulls = { retry_limit: null, backoff: null, retention: null, unique_key: null, unique_while: null, batch: null, dequeued_at: null };
    stub.answer = () => answer(format, { ...WITH_PAYLOAD, ...nulls });
    const { payload: _, ...job } = await client().getJob(ID);
    expect(Object.values(job)).not.toContain(null);
    expect(job).not.toHaveProperty("retryLimit");
    const entry = { ...ENTRY, timezone: null, paused_at: null, next_enqueue_at: null, job: { ...ENTRY.job, retry_limit: null, unique_key: null } };
    stub.answer = () => answer(format, entry);
    const read = await client().crons.getEntry("g", "e");
    expect(Object.values(read)).not.toContain(null);
    const { payload: __, ...template } = read.job;
    expect(Object.values(template)).not.toContain(null);
  });

  it.each(ROWS)("$call refuses a 200 text/html page", async (row) => {
    const error = await refusal(row, MAINTENANCE);
    expect(error.message).toMatch(/, got text\/html; charset=utf-8$/);
    expect(error.contentType).toBe("text/html; charset=utf-8");
  });

  it.each(ROWS)("$call refuses an empty body, null and []", async (row) => {
    expect((await refusal(row, answer(format, undefined))).message).toMatch(/, got an empty body$/);
    expect((await refusal(row, answer(format, null))).message).toMatch(/, got null$/);
    expect((await refusal(row, answer(format, []))).message).toMatch(/, got an empty array$/);
  });

  it.each(ROWS)("$call refuses a wrongly typed field, naming it", async (row) => {
    const [body, field] = row.wrong;
    expect((await refusal(row, answer(format, body))).message).toContain(` "${field}", got `);
  });

  it.each(NO_CONTENT)("$call accepts 204 and refuses a 200 text/html page", async (row) => {
    stub.answer = () => ({ status: 204 });
    await expect(row.run(client())).resolves.not.toBeInstanceOf(Error);
    expect((await refusal(row, MAINTENANCE)).message).toBe(`${row.method} /zizq${row.path}: expected no content, got text/html; charset=utf-8`);
  });

  it.each(NO_CONTENT)("$call refuses a body in its own format, which a catch-all proxy would send and Zizq never does", async (row) => {
    expect((await refusal(row, answer(format, {}))).message).toBe(`${row.method} /zizq${row.path}: expected no content, got an object`);
  });

  it("ackMany reads a 422's not_found ids, and refuses ones that are not strings", async () => {
    stub.answer = () => ({ ...answer(format, { not_found: [ID] }), status: 422 });
    await expect(client().ackMany([ID, "other"])).resolves.toEqual({ notFound: [ID] });
    const error = await refusal(NO_CONTENT[1]!, { ...answer(format, { not_found: [7] }), status: 422 });
    expect(error.message).toContain(`"not_found[0]", got 7 (number)`);
  });

  it("a take frame that is not a job errors the stream as a malformed frame, naming the field", async () => {
    const frame = { ...WITH_PAYLOAD, attempts: "0" };
    stub.answer = () =>
      format === "msgpack"
        ? { type: "application/vnd.zizq.msgpack-stream", body: lengthPrefixed(encode(frame)) }
        : { type: "application/x-ndjson", body: `${JSON.stringify(frame)}\n` };
    const reader = (await client().take({ prefetch: 1 })).getReader();
    const error = await rejection(reader.read());
    expect(error).toBeInstanceOf(ZizqFrameError);
    expect(error).toMatchObject({ reason: "malformed", jobId: ID });
    expect((error as Error).message).toBe(
      `GET /zizq/jobs/take?prefetch=1: a frame is not a job: expected a job object with a number "attempts", got "0"`,
    );
  });

  it("a page whose next link is itself is refused rather than walked forever", async () => {
    const path = "/zizq/jobs?order=asc&limit=50";
    stub.answer = () => answer(format, { jobs: [WITH_PAYLOAD], pages: { ...PAGES, next: "/jobs?order=asc&limit=50" } });
    const error = await rejection(client().jobs().toArray());
    expect(error).toBeInstanceOf(ZizqDecodeError);
    expect((error as Error).message).toBe(`GET ${path}: expected a link to the next page, got this page again`);
  });

  it("a take answered with a text/html page is refused before any frame is read", async () => {
    stub.answer = () => MAINTENANCE;
    expect(await rejection(client().take())).toMatchObject({ name: "ZizqFrameError", reason: "unsupported_format" });
  });
});

function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  const framed = new Uint8Array(4 + bytes.length);
  new DataView(framed.buffer).setUint32(0, bytes.length);
  framed.set(bytes, 4);
  return framed;
}
