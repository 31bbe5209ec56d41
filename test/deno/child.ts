/** Child processes for the Deno adapter tests: their output collected, their exit awaited, every wait bounded. */
import { fileURLToPath } from "node:url";

/** The repository root: children run from there, so `node --import tsx` and node_modules resolve. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface Child {
  process: Deno.ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code once the process has ended and its output is read. */
  exited: Promise<number>;
}

/** Starts `command` from the repository root with stdout and stderr collected (stdin piped only if asked). */
export function start(command: string, args: string[], options: { stdin?: boolean; env?: Record<string, string> } = {}): Child {
  const process = new Deno.Command(command, {
    args,
    cwd: ROOT,
    env: { DENO_NO_UPDATE_CHECK: "1", ...options.env },
    stdin: options.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) output += text;
  };
  const read = Promise.all([collect(process.stdout), collect(process.stderr)]);
  const exited = Promise.all([process.status, read]).then(([status]) => status.code);
  // Any FORCE_COLOR in the environment (0 too) makes Deno colour a child's output even into a pipe.
  return { process, output: () => output.replace(/\x1b\[[0-9;]*m/g, ""), exited };
}

/** Kills `child` if it still runs and waits for it, so no test leaks a process. */
export async function reap(child: Child): Promise<void> {
  try {
    child.process.kill("SIGKILL");
  } catch {
    // It has exited already.
  }
  await child.exited;
}

/** Bounds the waits on a child: a Node child compiles with tsx as it starts. */
export const CHILD_MS = 20_000;

/** How a Deno child runs a fixture: the same node_modules mode as `npm run test:deno`, explicit permissions. */
export function denoRunArgs(script: string, permissions: string[]): string[] {
  return ["run", "--node-modules-dir=manual", ...permissions, script];
}
