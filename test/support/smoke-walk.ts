/**
 * The runtime smoke walk: one short protocol conversation with the in-memory test server,
 * called in-process through its `fetch` (no sockets). Each runtime's smoke test (workerd, Bun,
 * Deno) registers this same walk, a test per step, with its own assertion functions, so the walk
 * itself uses only the web platform: Request, Response, ReadableStream, TextDecoder, timers.
 */
import { decode } from "@msgpack/msgpack";
import { createTestServer } from "../../src/testing/index.ts";
import type { TestServer } from "../../src/testing/types.ts";
import { eventually, WAIT_MS, within } from "./wait.ts";
import type { Walk } from "./walk.ts";

const BASE = "http://zizq.test";
const JOBS = 20;

/** Job shapes the walk reads back; the protocol's own types live in src/protocol. */
interface WireJob {
  id: string;
  status: string;
  attempts: number;
  payload?: unknown;
  dequeued_at?: number;
}

interface SmokeState {
  server: TestServer;
  call(method: string, path: string, init?: { json?: unknown; headers?: Record<string, string> }): Promise<Response>;
  payloads: { n: number; word: string }[];
  /** Ids of the bulk-enqueued jobs, in enqueue order. */
  bulkIds: string[];
  /** The take stream of the "take" step, acked and closed by the next. */
  frames?: NdjsonFrames;
}

const json = async (response: Response): Promise<any> => JSON.parse(await response.text());

/** The walk against a fresh in-process test server, which must be left with no open stream. */
export const smokeWalk: Walk<SmokeState> = {
  open: () => {
    const server = createTestServer();
    const call: SmokeState["call"] = (method, path, init = {}) => {
      const headers = new Headers(init.headers);
      let body: string | undefined;
      if (init.json !== undefined) {
        body = JSON.stringify(init.json);
        if (!headers.has("content-type")) headers.set("content-type", "application/json");
      }
      return server.fetch(new Request(BASE + path, { method, headers, body }));
    };
    const payloads = Array.from({ length: JOBS }, (_, n) => ({ n, word: `job-${n}` }));
    return { server, call, payloads, bulkIds: [] };
  },
  close: ({ server }) => server.close(),
  steps: [
    {
      name: "GET /health answers ok",
      async run({ call }, assert) {
        const res = await call("GET", "/health");
        assert.equal(res.status, 200, "GET /health status");
        assert.equal(res.headers.get("content-type"), "application/json", "GET /health content-type");
        assert.deepEqual(await json(res), { status: "ok" }, "GET /health body");
      },
    },
    {
      name: "a bulk enqueue of 20 answers ready jobs with ids increasing in input order",
      async run({ call, payloads, bulkIds }, assert) {
        const res = await call("POST", "/jobs/bulk", {
          json: { jobs: payloads.map((payload) => ({ type: "smoke", queue: "smoke", payload })) },
        });
        assert.equal(res.status, 201, "POST /jobs/bulk status");
        const body = await json(res);
        assert.equal(body.jobs.length, JOBS, "POST /jobs/bulk answers one item per job");
        for (const item of body.jobs as (WireJob & { duplicate: boolean })[]) {
          assert.equal(typeof item.id, "string", "job id is a string");
          assert.equal(item.status, "ready", "a new job is ready");
          assert.equal(item.duplicate, false, "a new job is no duplicate");
          assert.equal("payload" in item, false, "the enqueue answer leaves the payload out");
          bulkIds.push(item.id);
        }
        for (let i = 1; i < bulkIds.length; i++) {
          assert.ok(bulkIds[i - 1]! < bulkIds[i]!, `ids increase: ${bulkIds[i - 1]} < ${bulkIds[i]}`);
        }
      },
    },
    {
      name: "one NDJSON take stream delivers all 20 in enqueue order",
      async run(state, assert) {
        const res = await state.call("GET", "/jobs/take?prefetch=20");
        assert.equal(res.status, 200, "GET /jobs/take status");
        assert.equal(res.headers.get("content-type"), "application/x-ndjson", "take stream content-type");
        const frames = (state.frames = new NdjsonFrames(res.body!));
        const jobs: WireJob[] = [];
        while (jobs.length < JOBS) jobs.push((await frames.next("take frame")) as WireJob);
        assert.deepEqual(
          jobs.map((job) => job.id),
          state.bulkIds,
          "frames arrive in enqueue order",
        );
        jobs.forEach((job, i) => {
          assert.equal(job.status, "in_flight", `frame ${i} status`);
          assert.deepEqual(job.payload, state.payloads[i], `frame ${i} payload`);
          assert.equal(job.attempts, 0, `frame ${i} attempts`);
        });
      },
    },
    {
      name: "acking them all and closing the stream leaves no job",
      async run({ call, bulkIds, frames }, assert) {
        const ack = await call("POST", "/jobs/success", { json: { ids: bulkIds } });
        assert.equal(ack.status, 204, "POST /jobs/success status");
        assert.equal(await ack.text(), "", "POST /jobs/success has an empty body");
        await frames!.cancel();
        const count = await call("GET", "/jobs/count");
        assert.equal(count.status, 200, "GET /jobs/count status");
        assert.deepEqual(await json(count), { count: 0 }, "all jobs completed");
      },
    },
    {
      name: "a stream cancelled while it holds a job gives the job back: ready, attempts unchanged",
      async run({ call }, assert) {
        const enq = await call("POST", "/jobs", { json: { type: "smoke", queue: "smoke", payload: { n: "held" } } });
        assert.equal(enq.status, 201, "POST /jobs status");
        const { id } = (await json(enq)) as WireJob;
        const res = await call("GET", "/jobs/take?prefetch=1");
        assert.equal(res.status, 200, "second take stream status");
        const frames = new NdjsonFrames(res.body!);
        const taken = (await frames.next("held frame")) as WireJob;
        assert.equal(taken.id, id, "the held job is the one enqueued");
        assert.equal(taken.status, "in_flight", "the held job is in flight");
        const during = (await json(await call("GET", `/jobs/${id}`))) as WireJob;
        assert.equal(during.status, "in_flight", "GET /jobs/{id} while held");

        await frames.cancel();
        const after = await eventually(async () => {
          const job = (await json(await call("GET", `/jobs/${id}`))) as WireJob;
          return job.status === "ready" && job;
        }, "the held job to go back to ready");
        assert.equal(after.attempts, 0, "a requeue leaves attempts unchanged");
        assert.equal(after.dequeued_at, taken.dequeued_at, "requeue keeps dequeued_at");
        assert.deepEqual(after.payload, { n: "held" }, "requeue keeps the payload");
      },
    },
    {
      name: "MessagePack is answered when asked for",
      async run({ call }, assert) {
        const res = await call("GET", "/health", { headers: { accept: "application/msgpack" } });
        assert.equal(res.status, 200, "msgpack GET /health status");
        assert.equal(res.headers.get("content-type"), "application/msgpack", "msgpack content-type");
        assert.deepEqual(decode(new Uint8Array(await res.arrayBuffer())), { status: "ok" }, "msgpack body");
      },
    },
    {
      name: "no take stream is left open",
      run: ({ server }, assert) => assert.deepEqual(server.connections(), [], "open take streams"),
    },
  ],
};

/** Reads NDJSON frames from a take stream: splits on `\n`, carries partial lines, skips heartbeats. */
export class NdjsonFrames {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffered = "";
  private readonly lines: string[] = [];

  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader();
  }

  /** The next job frame, parsed; fails when the stream ends or nothing arrives within the wait. */
  async next(what: string): Promise<unknown> {
    // One deadline for the whole frame: heartbeats (lone newlines) must not extend the wait.
    const deadline = Date.now() + WAIT_MS;
    while (this.lines.length === 0) {
      const { done, value } = await within(this.reader.read(), what, deadline - Date.now());
      if (done) throw new Error(`take stream ended while waiting for ${what}`);
      this.buffered += this.decoder.decode(value, { stream: true });
      const parts = this.buffered.split("\n");
      this.buffered = parts.pop()!;
      for (const line of parts) if (line.trim() !== "") this.lines.push(line);
    }
    return JSON.parse(this.lines.shift()!);
  }

  /** Cancels the stream, as a client that goes away does. */
  cancel(): Promise<void> {
    return within(this.reader.cancel(), "the take stream to cancel");
  }
}
