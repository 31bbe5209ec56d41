/**
 * The processes the benches start: a Node server (the stub or the test server) that prints
 * `Listening on <url>`, and a bench script on Bun or Deno that prints one JSON line last.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";

export interface ChildServer {
  url: string;
  close(): Promise<void>;
}

/** `node --import tsx <script> ...args` until it prints the URL it listens on. */
export async function startServer(script: string, args: string[] = []): Promise<ChildServer> {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  let url: string | undefined;
  for await (const chunk of child.stdout ?? []) {
    output += String(chunk);
    url = /Listening on (http:\/\/\S+)/.exec(output)?.[1];
    if (url) break;
  }
  if (!url) throw new Error(`${script} did not start: ${output}`);
  return {
    url,
    async close() {
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

/** The runtimes besides Node that the benches run on, and how each starts a script (loopback only for Deno). */
export const OTHER_RUNTIMES: Record<string, string[]> = {
  bun: ["node_modules/.bin/bun"],
  deno: ["node_modules/.bin/deno", "run", "--node-modules-dir=manual", "--allow-net=127.0.0.1", "--allow-env", "--allow-read", "--allow-sys"],
};

/** Runs `script` on `runtime` with `url` as its argument; answers the JSON line it prints last. */
export async function runOn<T>(runtime: string, script: string, url: string): Promise<T> {
  const [command = "", ...args] = OTHER_RUNTIMES[runtime] ?? [];
  const child = spawn(command, [...args, script, url], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" } });
  let output = "";
  for await (const chunk of child.stdout ?? []) output += String(chunk);
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`${runtime} exited with ${code}: ${output}`);
  return JSON.parse(output.trim().split("\n").at(-1) ?? "") as T;
}
