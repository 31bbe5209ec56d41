/**
 * `runWorker` from adapters/bun.ts in a real Bun child process, stopped by real signals: the
 * child (fixtures/signal-worker.ts) works against the in-memory test server, which this test
 * serves on a loopback port with adapters/bun.ts `serve` and then inspects.
 */
import { afterEach, expect, test } from "bun:test";
import { serve, type ServerHandle } from "../../adapters/bun.ts";
import { Client, type Job } from "../../src/index.ts";
import { createTestServer } from "../../src/testing/index.ts";
import type { TestServer } from "../../src/testing/types.ts";
import { Nap } from "./fixtures/jobs.ts";
import { eventually } from "../support/wait.ts";
import { type Child, spawnChild } from "./harness.ts";

const FIXTURE = new URL("./fixtures/signal-worker.ts", import.meta.url).pathname;

interface Event {
  event: string;
  id?: string;
  message?: string;
  code?: number;
  exitCode?: number;
  stats?: { running: number; buffered: number; acksPending: number; completed: number; failed: number };
}

const events = (child: Child): Event[] =>
  child.lines.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Event);
const ids = (child: Child, event: string) => new Set(events(child).filter((e) => e.event === event).map((e) => e.id!));

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function setUp(jobs: number, ms: number): Promise<{ server: TestServer; handle: ServerHandle; client: Client }> {
  const server = createTestServer();
  const handle = await serve(server);
  cleanup.push(() => server.close(), () => handle.close());
  const client = new Client({ url: handle.url });
  await client.enqueueBulk(Array.from({ length: jobs }, (_, n) => Nap.with({ n, ms })));
  return { server, handle, client };
}

function startWorker(url: string): Child {
  const child = spawnChild([process.execPath, FIXTURE, url, "4"]);
  cleanup.push(() => child.process.kill("SIGKILL"));
  return child;
}

/** After the child is gone: nothing in flight, no stream held open. */
async function nothingInFlight(server: TestServer, client: Client): Promise<void> {
  await eventually(() => server.connections().length === 0, "the child's take stream to close", 5_000);
  expect(await client.jobs({ status: "in_flight" }).count()).toBe(0);
}

const byStatus = async (client: Client, status: Job["status"]) => client.jobs({ status }).pageSize(2000).toArray();

test("SIGTERM mid-run: running jobs finish and are acked, the rest go back to ready, exit code 0", async () => {
  const { server, handle, client } = await setUp(80, 100);
  const child = startWorker(handle.url);
  await child.line((line) => line.includes('"ready"'), "the child to start");
  await eventually(() => ids(child, "success").size >= 8, () => `8 jobs to complete; output:\n${child.output()}`);

  child.process.kill("SIGTERM");
  expect(await child.exited, child.output()).toBe(0);

  const exit = events(child).find((e) => e.event === "exit");
  expect(exit, child.output()).toMatchObject({ code: 0, exitCode: 0, stats: { running: 0, acksPending: 0, failed: 0 } });
  expect(events(child).some((e) => e.event === "log" && e.message?.startsWith("stopping:"))).toBe(true);
  await nothingInFlight(server, client);

  const completed = await byStatus(client, "completed");
  const ready = await byStatus(client, "ready");
  // Stopped mid-run: some finished, some were never started.
  expect(completed.length).toBeGreaterThanOrEqual(8);
  expect(ready.length).toBeGreaterThan(0);
  expect(completed.length + ready.length).toBe(80);
  // Every job that started finished (none was cut short), and the server knows each as completed.
  expect(ids(child, "success")).toEqual(ids(child, "start"));
  expect(new Set(completed.map((job) => job.id))).toEqual(ids(child, "success"));
  // What went back never ran: untouched, attempts 0.
  expect(ready.every((job) => job.attempts === 0)).toBe(true);
  expect(await client.jobs({ status: ["scheduled", "dead"] }).count()).toBe(0);
}, 30_000);

test("SIGINT twice: the second stops at once, running jobs are failed (scheduled, attempts 1), exit code 1", async () => {
  // Handlers that would run 10 s: they are certainly still running when the second signal arrives.
  const { server, handle, client } = await setUp(20, 10_000);
  const child = startWorker(handle.url);
  await eventually(() => ids(child, "start").size === 4, () => `4 handlers to start; output:\n${child.output()}`);

  child.process.kill("SIGINT");
  await child.line((line) => line.includes("stopping:"), "the graceful stop to begin");
  child.process.kill("SIGINT");
  const started = Date.now();
  expect(await child.exited, child.output()).toBe(1);
  expect(Date.now() - started).toBeLessThan(5_000); // not the 10 s handlers, nor the 30 s shutdownTimeout

  const exit = events(child).find((e) => e.event === "exit");
  expect(exit, child.output()).toMatchObject({ code: 1, exitCode: 1, stats: { running: 0, acksPending: 0, completed: 0, failed: 4 } });
  await nothingInFlight(server, client);

  const running = ids(child, "start");
  expect(ids(child, "failure")).toEqual(running);
  const scheduled = await byStatus(client, "scheduled");
  expect(new Set(scheduled.map((job) => job.id))).toEqual(running);
  expect(scheduled.every((job) => job.attempts === 1)).toBe(true);
  const ready = await byStatus(client, "ready");
  expect(ready.length).toBe(16);
  expect(ready.every((job) => job.attempts === 0)).toBe(true);
  expect(await client.jobs({ status: ["completed", "dead"] }).count()).toBe(0);
}, 30_000);
