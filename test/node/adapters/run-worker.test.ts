/**
 * runWorker with real signals: a child process (fixtures/signal-worker.ts) runs a worker against
 * the test server on a real port and gets SIGTERM, or SIGINT twice, while its handlers run.
 * Afterwards the server must hold nothing in flight: each job is completed, back in `ready`
 * untouched, or (after a forced stop) failed and scheduled for its retry.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runWorker, type ServerHandle, serve } from "../../../adapters/node.ts";
import { Client, defineJob, type Job, Router, Worker, ZizqHttpError } from "../../../src/index.ts";
import { createTestServer } from "../../../src/testing/index.ts";
import { eventually } from "../../support/wait.ts";
import { CHILD_MS, run } from "./child.ts";

const Slow = defineJob<{ n: number }>({ type: "slow", queue: "signals", retention: { completed: 60_000 } });
const SCRIPT = "test/node/adapters/fixtures/signal-worker.ts";
const JOBS = 30;

let handle: ServerHandle;
let client: Client;

beforeEach(async () => {
  handle = await serve(createTestServer());
  client = new Client({ url: handle.url });
  await client.enqueueBulk(Array.from({ length: JOBS }, (_, n) => Slow.with({ n })));
});

afterEach(async () => {
  await handle.close();
});

async function allJobs(): Promise<Job[]> {
  const jobs: Job[] = [];
  for await (const job of client.jobs({ queue: "signals" })) jobs.push(job);
  return jobs;
}

describe("runWorker in a child process", () => {
  it("SIGTERM mid-run: running jobs finish and are acked, the rest go back to ready, exit code 0", async () => {
    const child = run(SCRIPT, { ZIZQ_URL: handle.url, HANDLER_MS: "100", CONCURRENCY: "4" });
    try {
      await eventually(() => child.lines(/^start /).length >= 6, "some jobs to start", CHILD_MS);
      child.process.kill("SIGTERM");
      expect(await child.exited, child.output()).toBe(0);
    } finally {
      child.process.kill("SIGKILL");
    }
    const started = child.lines(/^start /).map((line) => line.slice(6));
    const done = child.lines(/^done /).map((line) => line.slice(5));
    expect(child.output()).toContain("exit 0");
    // Every job that started ran to the end: the stop was graceful.
    expect(done.sort()).toEqual([...started].sort());

    const jobs = await allJobs();
    expect(jobs).toHaveLength(JOBS);
    const completed = jobs.filter((job) => job.status === "completed");
    expect(completed.map((job) => job.id).sort()).toEqual([...started].sort());
    expect(completed.length).toBeLessThan(JOBS);
    for (const job of jobs.filter((job) => job.status !== "completed")) {
      expect(job).toMatchObject({ status: "ready", attempts: 0 });
    }
    expect(await client.jobs({ status: "in_flight" }).count()).toBe(0);
  });

  it("SIGINT twice: running handlers are aborted and their jobs failed, exit code 1 at once", async () => {
    // Handlers that would run for 10 s: only the second signal can end this promptly.
    const child = run(SCRIPT, { ZIZQ_URL: handle.url, HANDLER_MS: "10000", CONCURRENCY: "4" });
    let secondAt = 0;
    try {
      await eventually(() => child.lines(/^start /).length === 4, "the handlers to start", CHILD_MS);
      child.process.kill("SIGINT");
      await eventually(() => child.output().includes("stopping: running jobs finish"), "the graceful stop to begin", CHILD_MS);
      secondAt = Date.now();
      child.process.kill("SIGINT");
      expect(await child.exited, child.output()).toBe(1);
    } finally {
      child.process.kill("SIGKILL");
    }
    expect(Date.now() - secondAt).toBeLessThan(3_000);
    expect(child.output()).toContain("stopping now");
    expect(child.lines(/^done /)).toEqual([]);

    const started = new Set(child.lines(/^start /).map((line) => line.slice(6)));
    const jobs = await allJobs();
    expect(jobs).toHaveLength(JOBS);
    for (const job of jobs) {
      if (started.has(job.id)) expect(job).toMatchObject({ status: "scheduled", attempts: 1 });
      else expect(job).toMatchObject({ status: "ready", attempts: 0 });
    }
    expect(await client.jobs({ status: "in_flight" }).count()).toBe(0);
  });
});

describe("runWorker in this process", () => {
  it("returns 1 and sets process.exitCode when the take is refused with a 4xx", async () => {
    const server = createTestServer();
    const client = new Client({ url: "http://zizq.test/not-zizq", fetch: server.fetch });
    const worker = new Worker({ client, router: new Router(), logger: { warn: () => {}, error: () => {} } });
    const errors: unknown[] = [];
    const listeners = () => [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
    const before = listeners();
    const previous = process.exitCode;
    try {
      const code = await runWorker(worker, { logger: { warn: () => {}, error: (_message, data) => void errors.push(data) } });
      expect(code).toBe(1);
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = previous;
    }
    expect(errors).toHaveLength(1);
    const error = (errors[0] as { error: unknown }).error;
    expect(error).toBeInstanceOf(ZizqHttpError);
    expect((error as ZizqHttpError).status).toBeGreaterThanOrEqual(400);
    expect((error as ZizqHttpError).status).toBeLessThan(500);
    // Its signal listeners are gone again: Ctrl-C works as before.
    expect(listeners()).toEqual(before);
  });
});
