import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:http2";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { within } from "../support/wait.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

/** Bounds every wait (tsx compiles on start, so be generous), so a hang fails with a message. */
const WAIT_MS = 15_000;

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running: ChildProcess[] = [];

function start(args: string[]): Run {
  const child = spawn(tsx, ["scripts/test-server.ts", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  running.push(child);
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** `what` to wait for, told with the child's output so far if the wait fails. */
function told(what: string, run: Run): () => string {
  return () => `${what}\nstdout: ${run.stdout()}\nstderr: ${run.stderr()}`;
}

/** Resolves with the URL from the `Listening on ...` line; rejects if the process exits first. */
function listening(run: Run): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = /^Listening on (http:\/\/127\.0\.0\.1:(\d+))$/m.exec(run.stdout());
      if (match) {
        run.child.stdout!.off("data", check);
        resolve(match[1]!);
      }
    };
    run.child.stdout!.on("data", check);
    check();
    void run.exited.then(({ code }) => reject(new Error(`exited with ${code} before listening\n${run.stderr()}`)));
  });
}

afterEach(() => {
  // Only ever our own children, by their pid.
  for (const child of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
});

describe("npm run server (scripts/test-server.ts)", () => {
  it("serves the test server over HTTP/1.1 and h2c, then exits 0 on SIGTERM", async () => {
    const run = start(["--port", "0", "--pro", "--heartbeat", "500ms", "--global-in-flight-limit", "10"]);
    const url = await within(listening(run), told("the Listening line", run), WAIT_MS);
    expect(run.stdout()).toBe(`Listening on ${url}\n`);

    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });

    // The official clients speak h2c to http:// URLs.
    const session = connect(url);
    try {
      const h2 = await within(
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const stream = session.request({ ":path": "/health" });
          let status = 0;
          let body = "";
          stream.setEncoding("utf8");
          stream.on("response", (h) => (status = Number(h[":status"])));
          stream.on("data", (chunk: string) => (body += chunk));
          stream.on("end", () => resolve({ status, body }));
          stream.on("error", reject);
        }),
        told("GET /health over h2c", run),
        WAIT_MS,
      );
      expect(h2.status).toBe(200);
      expect(JSON.parse(h2.body)).toEqual({ status: "ok" });
    } finally {
      session.destroy();
    }

    run.child.kill("SIGTERM");
    expect(await within(run.exited, told("exit after SIGTERM", run), WAIT_MS)).toEqual({ code: 0, signal: null });
  });

  it("exits 0 on SIGINT with a take stream still open", async () => {
    const run = start(["--port", "0"]);
    const url = await within(listening(run), told("the Listening line", run), WAIT_MS);
    const abort = new AbortController();
    const take = await fetch(`${url}/jobs/take`, { signal: abort.signal });
    expect(take.status).toBe(200);

    run.child.kill("SIGINT");
    expect(await within(run.exited, told("exit after SIGINT", run), WAIT_MS)).toEqual({ code: 0, signal: null });
    abort.abort();
  });

  it("--zizq-version 0.6.1 acts out the old server: its version, and no budget routes", async () => {
    const run = start(["--port", "0", "--pro", "--zizq-version", "0.6.1"]);
    const url = await within(listening(run), told("the Listening line", run), WAIT_MS);
    expect(await (await fetch(`${url}/version`)).json()).toEqual({ version: "0.6.1" });
    const budgets = await fetch(`${url}/budgets`);
    expect(budgets.status).toBe(404);
    expect(await budgets.json()).toEqual({ error: "not found" });
    run.child.kill("SIGTERM");
    expect(await within(run.exited, told("exit after SIGTERM", run), WAIT_MS)).toEqual({ code: 0, signal: null });
  });

  it("speaks 0.7 by default and --max-budgets caps the budgets", async () => {
    const run = start(["--port", "0", "--pro", "--max-budgets", "1"]);
    const url = await within(listening(run), told("the Listening line", run), WAIT_MS);
    expect(await (await fetch(`${url}/version`)).json()).toEqual({ version: "0.7.0" });
    const define = (key: string) =>
      fetch(`${url}/budgets/${key}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ allocation: 1, strategy: { type: "while_in_flight" } }),
      });
    expect((await define("a")).status).toBe(201);
    const second = await define("b");
    expect(second.status).toBe(422);
    expect((await second.json()).error).toContain("maximum of 1 budgets");
    run.child.kill("SIGTERM");
    expect(await within(run.exited, told("exit after SIGTERM", run), WAIT_MS)).toEqual({ code: 0, signal: null });
  });

  it.each([
    [["--bogus"], "--bogus"],
    [["--zizq-version", "latest"], "--zizq-version"],
    [["--max-budgets", "0"], "--max-budgets"],
    [["--port", "http"], "--port"],
    [["--port"], "--port"],
    [["--heartbeat", "3 seconds"], "--heartbeat"],
    [["--global-in-flight-limit", "lots"], "--global-in-flight-limit"],
  ])("rejects %j with exit code 2 and a message naming the flag", async (args, flag) => {
    const run = start(args);
    expect(await within(run.exited, told("exit on a bad flag", run), WAIT_MS)).toEqual({ code: 2, signal: null });
    expect(run.stderr()).toContain(flag);
    expect(run.stdout()).toBe("");
  });

  it("--help prints the options and exits 0", async () => {
    const run = start(["--help"]);
    expect(await within(run.exited, told("exit after --help", run), WAIT_MS)).toEqual({ code: 0, signal: null });
    for (const flag of ["--port", "--host", "--pro", "--heartbeat", "--global-in-flight-limit", "--zizq-version", "--max-budgets"]) {
      expect(run.stdout()).toContain(flag);
    }
  });
});
