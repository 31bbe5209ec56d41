/**
 * adapters/deno.ts `runWorker` with real signals: a Deno child process (fixtures/signal-worker.ts)
 * works through jobs from a test server this test serves on a loopback port. SIGTERM mid-run
 * stops it gracefully (exit 0, every job completed or back in ready untouched); a second signal
 * stops it at once (exit 1, the running jobs failed).
 */
import assert from "node:assert/strict";
import { serve } from "../../adapters/deno.ts";
import { Client, defineJob } from "../../src/index.ts";
import { createTestServer } from "../../src/testing/index.ts";
import { eventually, within } from "../support/wait.ts";
import { CHILD_MS, type Child, denoRunArgs, reap, start } from "./child.ts";

const Slow = defineJob<{ n: number }>({ type: "slow", queue: "signals" });
/** 120 jobs of 100 ms at 8 at once: 1.5 s of work, so a SIGTERM after the first 8 lands mid-run even on a busy machine. */
const JOBS = 120;

const count = (child: Child, word: string) => (child.output().match(new RegExp(`^${word} \\d+$`, "gm")) ?? []).length;

async function withWorkerChild(
  handlerMs: number,
  body: (child: Child, client: Client) => Promise<void>,
): Promise<void> {
  // Completed jobs stay visible, so the test can account for every one.
  const server = createTestServer({ heartbeatMs: 500, defaultRetention: { completedMs: 3_600_000 } });
  const handle = await serve(server);
  const client = new Client({ url: handle.url });
  await client.enqueueBulk(Array.from({ length: JOBS }, (_, n) => Slow.with({ n })));
  const child = start(
    Deno.execPath(),
    denoRunArgs("test/deno/fixtures/signal-worker.ts", ["--allow-net=127.0.0.1", "--allow-env=ZIZQ_URL,HANDLER_MS"]),
    { env: { ZIZQ_URL: handle.url, HANDLER_MS: String(handlerMs) } },
  );
  try {
    await body(child, client);
  } finally {
    await reap(child);
    server.close();
    await handle.close();
  }
}

Deno.test("runWorker: SIGTERM mid-run stops gracefully, exit 0, every job completed or ready with no attempt", async () => {
  await withWorkerChild(100, async (child, client) => {
    await eventually(() => count(child, "done") >= 8, "some jobs to complete", CHILD_MS);
    child.process.kill("SIGTERM");
    const code = await within(child.exited, "the worker child to exit", CHILD_MS);
    assert.equal(code, 0, child.output());
    assert.match(child.output(), /stopping: running jobs finish/);
    assert.match(child.output(), /exit code 0/);

    const started = count(child, "start");
    const done = count(child, "done");
    assert.equal(done, started, `every started job finished (${child.output()})`);
    assert.equal(count(child, "aborted"), 0);
    assert.equal(await client.jobs({ status: "in_flight" }).count(), 0, "nothing in flight");
    assert.equal(await client.jobs({ status: ["scheduled", "dead"] }).count(), 0, "nothing failed");
    assert.equal(await client.jobs({ status: "completed" }).count(), done, "every finished job was acked");
    const ready = await client.jobs({ status: "ready" }).toArray();
    assert.ok(ready.length > 0, "the stop came mid-run");
    assert.equal(done + ready.length, JOBS);
    assert.ok(ready.every((job) => job.attempts === 0), "jobs handed back untouched");
  });
});

Deno.test("runWorker: a second signal stops at once, exit 1, running jobs failed", async () => {
  // Handlers that would run for a minute: only the forced stop's abort ends them.
  await withWorkerChild(60_000, async (child, client) => {
    await eventually(() => count(child, "start") >= 8, "eight handlers to start", CHILD_MS);
    child.process.kill("SIGTERM");
    await eventually(() => child.output().includes("stopping: running jobs finish"), "the graceful stop to begin", CHILD_MS);
    child.process.kill("SIGINT");
    const code = await within(child.exited, "the worker child to exit", CHILD_MS);
    assert.equal(code, 1, child.output());
    assert.match(child.output(), /stopping now/);
    assert.match(child.output(), /exit code 1/);
    assert.equal(count(child, "start"), 8, "no job started after the first signal");
    assert.equal(count(child, "aborted"), 8);

    assert.equal(await client.jobs({ status: "in_flight" }).count(), 0, "nothing in flight");
    assert.equal(await client.jobs({ status: "completed" }).count(), 0);
    const failed = await client.jobs({ status: ["scheduled", "ready"], attempts: { min: 1 } }).toArray();
    assert.equal(failed.length, 8, "the eight running jobs were failed");
    assert.equal(await client.jobs({ status: "ready", attempts: { max: 0 } }).count(), JOBS - 8, "the rest handed back untouched");
  });
});
