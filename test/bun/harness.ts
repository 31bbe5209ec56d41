/** The harness the Bun runtime tests share: child processes read line by line, the mTLS test server. */
import { fileURLToPath } from "node:url";
import type { TestCertificates } from "../support/certs.ts";
import { eventually, sleep } from "../support/wait.ts";

/** The repository root: children run from here so `tsx` and `node_modules` resolve. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A child process whose stdout (and stderr) are collected as lines while it runs. */
export interface Child {
  readonly process: Bun.Subprocess<"pipe", "pipe", "pipe">;
  /** stdout lines so far. */
  readonly lines: string[];
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  readonly exited: Promise<number>;
  /** Resolves when a stdout line satisfies `match` (bounded). */
  line(match: (line: string) => boolean, what: string, ms?: number): Promise<string>;
}

export function spawnChild(cmd: string[], env: Record<string, string | undefined> = {}): Child {
  const proc = Bun.spawn(cmd, { cwd: ROOT, env: { ...process.env, ...env }, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  const lines: string[] = [];
  let err = "";
  const pump = async (stream: ReadableStream<Uint8Array>, onText: (text: string) => void) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) onText(decoder.decode(chunk, { stream: true }));
  };
  let partial = "";
  const reading = Promise.all([
    pump(proc.stdout, (text) => {
      const parts = (partial + text).split("\n");
      partial = parts.pop() ?? "";
      lines.push(...parts);
    }),
    pump(proc.stderr, (text) => (err += text)),
  ]);
  const exited = proc.exited.then(async (code) => {
    await reading;
    if (partial !== "") lines.push(partial);
    return code;
  });
  const output = () => `${lines.join("\n")}\n${partial}\n--- stderr ---\n${err}`;
  return {
    process: proc,
    lines,
    output,
    exited,
    line: (match, what, ms = 15_000) => eventually(() => lines.find(match) ?? false, () => `${what}; output so far:\n${output()}`, ms),
  };
}

/** The mTLS Zizq test server (test/support/tls-server.ts) in a Node child process. */
export interface TlsChild {
  url: string;
  certificates: TestCertificates;
  close(): Promise<void>;
}

export async function startTlsChild(): Promise<TlsChild> {
  const child = spawnChild(["node", "--import", "tsx", "test/support/tls-server.ts"]);
  const close = async () => {
    child.process.stdin.end(); // the server stops when its stdin closes
    const code = await Promise.race([child.exited, sleep(5_000).then(() => undefined)]);
    if (code === undefined) child.process.kill("SIGKILL");
  };
  try {
    const first = await child.line((line) => line.startsWith("{"), "the TLS server to print its address", 30_000);
    const { url, certificates } = JSON.parse(first) as { url: string; certificates: TestCertificates };
    return { url, certificates, close };
  } catch (error) {
    await close();
    throw error;
  }
}
