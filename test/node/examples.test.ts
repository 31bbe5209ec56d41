/**
 * The README's programs run as a user runs them: `npm start`'s demo to the end, and the email
 * worker until Ctrl-C (SIGINT), after which it must finish its jobs and exit 0.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { eventually } from "../support/wait.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

function start(script: string): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const env = { ...process.env };
  delete env.ZIZQ_URL;
  const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Bounds the waits on a child, which compiles with tsx as it starts. */
const CHILD_MS = 20_000;

describe("examples", () => {
  it("npm start: the demo runs to the end against the embedded server", async () => {
    const demo = start("examples/demo.ts");
    expect(await demo.exited, demo.output()).toBe(0);
    expect(demo.output()).toContain("refused before sending");
    expect(demo.output()).toMatch(/worker {3}ran 200 digests \(199 completed, 1 killed\)/);
  }, 30_000);

  it("npm run worker: processes its jobs and stops cleanly on SIGINT", async () => {
    const worker = start("examples/email-worker.ts");
    try {
      await eventually(() => worker.output().includes("worker running"), "the worker to start", CHILD_MS);
      await eventually(() => (worker.output().match(/^sent "Welcome"/gm) ?? []).length >= 40, "the emails to be sent", CHILD_MS);
      worker.child.kill("SIGINT");
      expect(await worker.exited, worker.output()).toBe(0);
      expect(worker.output()).toContain("has no subscription");
      expect(worker.output()).toMatch(/stopped \{[^}]*completed: 40,\s*failed: 1,\s*acksPending: 0/);
    } finally {
      worker.child.kill("SIGKILL");
    }
  }, 30_000);
});
