/**
 * examples/bun-worker.ts (`npm run example:bun`) run as a user runs it, in a Bun child process:
 * against its embedded server, and against the mTLS test server through ZIZQ_URL, ZIZQ_CA,
 * ZIZQ_CERT and ZIZQ_KEY. Ctrl-C (SIGINT) after its jobs ran must stop it cleanly with exit code 0.
 */
import { afterEach, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bunFetch } from "../../adapters/bun.ts";
import { Client } from "../../src/index.ts";
import { eventually } from "../support/wait.ts";
import { type Child, spawnChild, startTlsChild } from "./harness.ts";

const EXAMPLE = new URL("../../examples/bun-worker.ts", import.meta.url).pathname;
const count = (child: Child, pattern: RegExp) => child.lines.filter((line) => pattern.test(line)).length;

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

function runExample(env: Record<string, string | undefined>): Child {
  const child = spawnChild([process.execPath, EXAMPLE], { ZIZQ_URL: undefined, ZIZQ_CA: undefined, ZIZQ_CERT: undefined, ZIZQ_KEY: undefined, ...env });
  cleanup.push(() => child.process.kill("SIGKILL"));
  return child;
}

test("npm run example:bun: runs its typed jobs on the embedded server and stops on SIGINT with exit code 0", async () => {
  const example = runExample({});
  await example.line((line) => line.startsWith("worker running"), "the worker to start");
  await eventually(
    () => count(example, /^sent "Welcome"/) === 12 && count(example, /^resized /) === 4 && count(example, /failed: invalid/) === 1,
    () => `its 17 jobs to run; output:\n${example.output()}`,
  );
  example.process.kill("SIGINT");
  expect(await example.exited, example.output()).toBe(0);
  const output = example.output();
  expect(output).toContain("stopping: running jobs finish");
  expect(output).toMatch(/completed: 16,\s*failed: 1,\s*acksPending: 0/);
  expect(output).toContain("exit code 0");
}, 30_000);

test("example:bun with ZIZQ_URL and ZIZQ_CA/ZIZQ_CERT/ZIZQ_KEY: mutual TLS through bunFetch", async () => {
  const tls = await startTlsChild();
  cleanup.push(() => tls.close());
  const dir = await mkdtemp(join(tmpdir(), "zizq-bun-example-"));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const { ca, client } = tls.certificates;
  const files = { ZIZQ_CA: join(dir, "ca.pem"), ZIZQ_CERT: join(dir, "client.pem"), ZIZQ_KEY: join(dir, "client-key.pem") };
  await Promise.all([writeFile(files.ZIZQ_CA, ca.cert), writeFile(files.ZIZQ_CERT, client.cert), writeFile(files.ZIZQ_KEY, client.key)]);

  const zizq = new Client({ url: tls.url, fetch: bunFetch({ ca: ca.cert, cert: client.cert, key: client.key }) });
  for (let i = 0; i < 5; i++) {
    await zizq.enqueueRaw({ type: "send_email", queue: "emails", payload: { to: `tls${i}@example.com`, subject: "Over mTLS" } });
  }
  const example = runExample({ ZIZQ_URL: tls.url, ...files });
  await example.line((line) => line.startsWith(`worker running against ${tls.url}`), "the worker to start");
  await eventually(() => count(example, /^sent "Over mTLS"/) === 5, () => `its 5 jobs to run; output:\n${example.output()}`);
  example.process.kill("SIGINT");
  expect(await example.exited, example.output()).toBe(0);
  expect(example.output()).toMatch(/completed: 5,\s*failed: 0,\s*acksPending: 0/);
  expect(await zizq.jobs({ status: ["ready", "in_flight", "scheduled", "dead"] }).count()).toBe(0);
}, 30_000);
