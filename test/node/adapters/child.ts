/** A TypeScript program run as a child process (`node --import tsx`), its output collected. */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../../../", import.meta.url));

export interface Child {
  process: ChildProcess;
  output(): string;
  /** Lines of stdout and stderr so far matching `pattern`. */
  lines(pattern: RegExp): string[];
  exited: Promise<number | null>;
}

export function run(script: string, env: Record<string, string | undefined> = {}, imports: string[] = []): Child {
  const childEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key];
  const args = ["--import", "tsx", ...imports.flatMap((file) => ["--import", file]), script];
  const child = spawn(process.execPath, args, { cwd: root, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    process: child,
    output: () => output,
    lines: (pattern) => output.split("\n").filter((line) => pattern.test(line)),
    exited,
  };
}

/** Bounds the waits on a child, which compiles with tsx as it starts. */
export const CHILD_MS = 15_000;
