/**
 * The push examples as a user runs them: `npm run example:push` (the demo, in one process), and
 * the two programs apart — the endpoint under Bun, the relay under Node until SIGINT.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { serve } from "../../../adapters/node.ts";
import { Client } from "../../../src/client/client.ts";
import { generateSecret } from "../../../src/push/signature.ts";
import { createTestServer } from "../../../src/testing/index.ts";
import { SendEmail } from "../../../examples/push-endpoint.ts";
import { eventually } from "../../support/wait.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));

function start(command: string, args: string[], env: Record<string, string> = {}) {
  const base = { ...process.env };
  delete base.ZIZQ_URL;
  const child: ChildProcess = spawn(command, args, { cwd: root, env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

it("npm run example:push: the demo delivers, retries and kills as it says, then exits 0", async () => {
  const demo = start(process.execPath, ["--import", "tsx", "examples/push-relay.ts", "--demo"]);
  expect(await demo.exited, demo.output()).toBe(0);
  expect(demo.output()).toContain("done: 10 completed, 2 dead");
  expect(demo.output()).toContain("(NonRetryableError, killed)");
  expect(demo.output()).toContain("(ZizqValidationError, killed)");
  expect(demo.output()).toContain('sent "retried after 500 ms" to busy@example.com (attempt 2)');
}, 30_000);

it("push-endpoint.ts under Bun and push-relay.ts under Node, apart, against a Zizq on a port", async () => {
  const zizq = createTestServer({ license: "pro", defaultRetention: { completedMs: 3_600_000 } });
  const handle = await serve(zizq);
  const secret = generateSecret();
  const endpoint = start(fileURLToPath(new URL("node_modules/.bin/bun", `file://${root}`)), ["examples/push-endpoint.ts"], {
    PUSH_SECRET: secret,
    PORT: "0",
  });
  let relay: ReturnType<typeof start> | undefined;
  try {
    await eventually(async () => /push endpoint on (\S+)/.test(endpoint.output()), "the endpoint to listen", 15_000, 100);
    const url = /push endpoint on (\S+)/.exec(endpoint.output())?.[1] as string;
    const client = new Client({ url: handle.url });
    await client.enqueueBulk(Array.from({ length: 30 }, (_, i) => SendEmail.with({ to: `u${i}@example.com`, subject: "hi" })));
    // The relay's second secret stands for a key rotation in progress: the endpoint knows only the first.
    relay = start(process.execPath, ["--import", "tsx", "examples/push-relay.ts"], {
      ZIZQ_URL: handle.url,
      PUSH_URL: url,
      PUSH_SECRET: `${secret},${generateSecret()}`,
    });
    await eventually(async () => (await client.jobs({ queue: "emails", status: "completed" }).count()) === 30, "30 completed", 20_000, 100);
    relay.child.kill("SIGINT");
    expect(await relay.exited, relay.output()).toBe(0);
  } finally {
    relay?.child.kill();
    endpoint.child.kill();
    await endpoint.exited;
    await handle.close();
    zizq.close();
  }
}, 60_000);
