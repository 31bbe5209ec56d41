/**
 * `npm run example:worker -- --demo`: the example Worker in workerd through `wrangler dev` (no
 * account, no network), against the embedded test server: 200 emails enqueued through the
 * Worker's fetch handler, its cron fired once, every job drained and acked, then a clean exit.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

it("npm run example:worker -- --demo: enqueues through the Worker and drains on its cron", async () => {
  const env = { ...process.env };
  delete env.ZIZQ_URL;
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/example-worker.ts", "--demo"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  expect(code, output).toBe(0);
  expect(output).toContain("POST /emails: 202 (200 enqueued)");
  expect(output).toMatch(/zizq drain \(\* \* \* \* \*\): 200 jobs \(200 completed, 0 failed\) in \d+ ms, ended by idle/);
  expect(output).toContain("jobs left in the emails queue: 0; drain summary logged: yes");
}, 60_000);
