/**
 * The socket walk for each runtime's `serve` adapter: the in-memory test server on a real
 * loopback port, a take stream over HTTP, a client that disconnects while holding jobs, and a
 * `close()` that ends a live stream. Web platform only, so Node, Bun and Deno run the same code.
 */
import { createTestServer } from "../../src/testing/index.ts";
import type { FetchApp, ServeOptions, ServerHandle } from "../../src/adapter/serve.ts";
import type { TestServer } from "../../src/testing/types.ts";
import { eventually, WAIT_MS, within } from "./wait.ts";
import type { Walk } from "./walk.ts";

type Serve = (app: FetchApp, options?: ServeOptions) => Promise<ServerHandle>;

const JSON_HEADERS = { "content-type": "application/json" };

/** Reads NDJSON job lines from a take response until `count` arrived. */
async function readJobs(reader: ReadableStreamDefaultReader<string>, count: number): Promise<Array<{ id: string }>> {
  const jobs: Array<{ id: string }> = [];
  let buffered = "";
  // One deadline for all of them: heartbeats must not extend the wait.
  const deadline = Date.now() + WAIT_MS;
  while (jobs.length < count) {
    const { value, done } = await within(reader.read(), `${count} jobs (${jobs.length} arrived)`, deadline - Date.now());
    if (done) throw new Error("the take stream ended early");
    buffered += value;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) if (line !== "") jobs.push(JSON.parse(line) as { id: string });
  }
  return jobs;
}

interface ServeState {
  server: TestServer;
  handle: ServerHandle;
  call(path: string, init?: RequestInit): Promise<Response>;
  /** Ids of the enqueued jobs, oldest first. */
  ids: string[];
}

export function serveWalk(serve: Serve): Walk<ServeState> {
  return {
    async open() {
      const server = createTestServer({ heartbeatMs: 50 });
      const handle = await serve(server, { port: 0 });
      return { server, handle, call: (path, init) => fetch(`${handle.url}${path}`, init), ids: [] };
    },
    async close({ server, handle }) {
      server.close();
      await handle.close();
    },
    steps: [
      {
        name: "binds a real port on 127.0.0.1",
        run({ handle }, assert) {
          assert.ok(/^http:\/\/127\.0\.0\.1:\d+$/.test(handle.url), `url ${handle.url}`);
          assert.ok(handle.port > 0, "a real port was bound");
        },
      },
      {
        name: "answers a bulk enqueue over the socket",
        async run({ call, ids }, assert) {
          const jobs = Array.from({ length: 3 }, (_, n) => ({ type: "walk", queue: "walk", payload: { n } }));
          const enqueued = await call("/jobs/bulk", { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ jobs }) });
          assert.equal(enqueued.status, 201, "bulk enqueue over the socket");
          ids.push(...((await enqueued.json()) as { jobs: Array<{ id: string }> }).jobs.map((job) => job.id));
        },
      },
      {
        name: "a client that goes away while holding two jobs gives both back, attempts unchanged",
        async run({ call, ids }, assert) {
          const abort = new AbortController();
          const take = await call("/jobs/take?prefetch=2", { signal: abort.signal });
          assert.equal(take.headers.get("content-type"), "application/x-ndjson", "take content-type");
          const reader = take.body!.pipeThrough(new TextDecoderStream()).getReader();
          const held = await readJobs(reader, 2);
          assert.deepEqual(held.map((job) => job.id), ids.slice(0, 2), "the two oldest jobs are taken first");
          abort.abort();
          await reader.cancel().catch(() => undefined);
          await eventually(async () => {
            const count = (await (await call("/jobs/count?status=ready")).json()) as { count: number };
            return count.count === 3;
          }, "the held jobs to return to ready");
          const back = (await (await call(`/jobs/${ids[0]}`)).json()) as { status: string; attempts: number };
          assert.equal(back.attempts, 0, "a requeue leaves attempts unchanged");
        },
      },
      {
        name: "close() ends a live take stream, and what it held goes back to ready",
        async run({ server, handle, call }, assert) {
          const live = await call("/jobs/take?prefetch=1");
          const liveReader = live.body!.pipeThrough(new TextDecoderStream()).getReader();
          await readJobs(liveReader, 1);
          await handle.close();
          const ended = await within(
            liveReader.read().then(
              ({ done }) => done,
              () => true,
            ),
            "close() to end the live take stream",
          );
          assert.ok(ended, "close() ends a live take stream");
          await eventually(() => server.connections().length === 0, "the stream to be released");
          const count = (await (await server.fetch(new Request("http://zizq.test/jobs/count?status=ready"))).json()) as {
            count: number;
          };
          assert.equal(count.count, 3, "the job held at close() is ready again");
        },
      },
    ],
  };
}
