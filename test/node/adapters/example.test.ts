/**
 * `npm run example:node` (examples/node-worker.ts) run as a user runs it: against its embedded
 * server, and against a Zizq behind mutual TLS given by ZIZQ_URL, ZIZQ_CA, ZIZQ_CERT and ZIZQ_KEY.
 * It does its 7 jobs, and Ctrl-C (SIGINT) stops it with exit code 0.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nodeFetch } from "../../../adapters/node.ts";
import { Client } from "../../../src/index.ts";
import { startTlsZizq } from "../../support/tls-server.ts";
import { eventually } from "../../support/wait.ts";
import { CHILD_MS, type Child, run } from "./child.ts";

const SCRIPT = "examples/node-worker.ts";

async function runToCtrlC(child: Child): Promise<void> {
  try {
    await eventually(() => child.output().includes("worker running"), "the worker to start", CHILD_MS);
    await eventually(() => child.lines(/^(resized|sent the receipt|job send_receipt .* failed)/).length === 7, "its 7 jobs", CHILD_MS);
    child.process.kill("SIGINT");
    expect(await child.exited, child.output()).toBe(0);
  } finally {
    child.process.kill("SIGKILL");
  }
  expect(child.output()).toContain("has nothing to bill");
  expect(child.output()).toContain("stopped (exit code 0): 6 completed, 1 failed");
}

describe("npm run example:node", () => {
  it("runs its jobs on the embedded server and stops cleanly on Ctrl-C", async () => {
    const child = run(SCRIPT, { ZIZQ_URL: undefined, ZIZQ_CA: undefined, ZIZQ_CERT: undefined, ZIZQ_KEY: undefined });
    await runToCtrlC(child);
    expect(child.output()).toContain("(embedded test server)");
  });

  it("connects over mutual TLS with ZIZQ_CA, ZIZQ_CERT and ZIZQ_KEY", async () => {
    const zizq = await startTlsZizq();
    const dir = await mkdtemp(join(tmpdir(), "zizq-edge-mtls-"));
    const fetch = nodeFetch({ ca: zizq.certificates.ca.cert, cert: zizq.certificates.client.cert, key: zizq.certificates.client.key });
    try {
      const files = { ZIZQ_CA: "ca.pem", ZIZQ_CERT: "client.pem", ZIZQ_KEY: "client-key.pem" };
      await writeFile(join(dir, files.ZIZQ_CA), zizq.certificates.ca.cert);
      await writeFile(join(dir, files.ZIZQ_CERT), zizq.certificates.client.cert);
      await writeFile(join(dir, files.ZIZQ_KEY), zizq.certificates.client.key);
      const child = run(SCRIPT, {
        ZIZQ_URL: zizq.url,
        ZIZQ_CA: join(dir, files.ZIZQ_CA),
        ZIZQ_CERT: join(dir, files.ZIZQ_CERT),
        ZIZQ_KEY: join(dir, files.ZIZQ_KEY),
      });
      await runToCtrlC(child);
      expect(child.output()).toContain(`enqueued 7 jobs on ${zizq.url} over mutual TLS`);

      const client = new Client({ url: zizq.url, fetch });
      expect(await client.jobs({ status: "dead" }).count()).toBe(1);
      expect(await client.jobs({ status: ["ready", "in_flight", "scheduled"] }).count()).toBe(0);
    } finally {
      await fetch.close();
      await zizq.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
