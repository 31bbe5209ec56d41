/**
 * The socket walk for each runtime's `serve` adapter: the in-memory test server on a real
 * loopback port, a take stream over HTTP, a client that disconnects while holding jobs, and a
 * `close()` that ends a live stream. Web platform only, so Node, Bun and Deno run the same code.
 */
import { createTestServer } from "../../src/testing/index.ts";
import type { FetchApp, ServeOptions, ServerHandle } from "../../src/adapter/serve.ts";
import type { SmokeAssert } from "./smoke-walk.ts";

type Serve = (app: FetchApp, options?: ServeOptions) => Promise<ServerHandle>;

const WAIT_MS = 5_000;
const JSON_HEADERS = { "content-type": "application/json" };

/** Reads NDJSON job lines from a take response until `count` arrived. */
async function readJobs(reader: ReadableStreamDefaultReader<string>, count: number): Promise<Array<{ id: string }>> {
  const jobs: Array<{ id: string }> = [];
  let buffered = "";
  const deadline = Date.now() + WAIT_MS;
  while (jobs.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${jobs.length} of ${count} jobs arrived`);
    const { value, done } = await reader.read();
    if (done) throw new Error("the take stream ended early");
    buffered += value;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) if (line !== "") jobs.push(JSON.parse(line) as { id: string });
  }
  return jobs;
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function serveWalk(serve: Serve, assert: SmokeAssert): Promise<void> {
  const server = createTestServer({ heartbeatMs: 50 });
  const handle = await serve(server, { port: 0 });
  try {
    assert.ok(/^http:\/\/127\.0\.0\.1:\d+$/.test(handle.url), `url ${handle.url}`);
    assert.ok(handle.port > 0, "a real port was bound");
    const call = (path: string, init?: RequestInit) => fetch(`${handle.url}${path}`, init);

    const jobs = Array.from({ length: 3 }, (_, n) => ({ type: "walk", queue: "walk", payload: { n } }));
    const enqueued = await call("/jobs/bulk", { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ jobs }) });
    assert.equal(enqueued.status, 201, "bulk enqueue over the socket");
    const ids = ((await enqueued.json()) as { jobs: Array<{ id: string }> }).jobs.map((job) => job.id);

    // A client that goes away while holding two jobs: both return to ready, attempts unchanged.
    const abort = new AbortController();
    const take = await call("/jobs/take?prefetch=2", { signal: abort.signal });
    assert.equal(take.headers.get("content-type"), "application/x-ndjson", "take content-type");
    const reader = take.body!.pipeThrough(new TextDecoderStream()).getReader();
    const held = await readJobs(reader, 2);
    assert.deepEqual(held.map((job) => job.id), ids.slice(0, 2), "the two oldest jobs are taken first");
    abort.abort();
    await reader.cancel().catch(() => undefined);
    await waitFor(async () => {
      const count = (await (await call("/jobs/count?status=ready")).json()) as { count: number };
      return count.count === 3;
    }, "the held jobs to return to ready");
    const back = (await (await call(`/jobs/${ids[0]}`)).json()) as { status: string; attempts: number };
    assert.equal(back.attempts, 0, "a requeue leaves attempts unchanged");

    // close() ends a live stream; what it held goes back to ready.
    const live = await call("/jobs/take?prefetch=1");
    const liveReader = live.body!.pipeThrough(new TextDecoderStream()).getReader();
    await readJobs(liveReader, 1);
    await handle.close();
    const ended = await Promise.race([
      liveReader.read().then(
        ({ done }) => done,
        () => true,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), WAIT_MS)),
    ]);
    assert.ok(ended, "close() ends a live take stream");
    await waitFor(async () => server.connections().length === 0, "the stream to be released");
    const count = (await (await server.fetch(new Request("http://zizq.test/jobs/count?status=ready"))).json()) as {
      count: number;
    };
    assert.equal(count.count, 3, "the job held at close() is ready again");
  } finally {
    server.close();
    await handle.close();
  }
}
