/**
 * `npm run example:worker`: the example Worker (examples/worker.ts, configured by wrangler.toml)
 * in workerd through `wrangler dev`, against the embedded test server on a loopback port, or the
 * Zizq at ZIZQ_URL. It needs no Cloudflare account and no network: wrangler's only outbound call
 * (the `Request.cf` placeholder) is turned off, and `--test-scheduled` lets a request fire the cron.
 *
 *   npm run example:worker            serve until Ctrl-C; try the curl commands it prints
 *   npm run example:worker -- --demo  enqueue 200 emails through the Worker, fire its cron once,
 *                                     check that nothing is left, and exit (0 when all went well)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { serve } from "../adapters/node.ts";
import { Client } from "../src/index.ts";
import { createTestServer } from "../src/testing/index.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const demo = process.argv.includes("--demo");

/** A port nothing listens on now (wrangler takes a port number, not 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const external = process.env.ZIZQ_URL;
const embedded = external ? undefined : createTestServer();
const handle = embedded ? await serve(embedded) : undefined;
const zizqUrl = external ?? handle!.url;
const port = await freePort();
const workerUrl = `http://127.0.0.1:${port}`;

const wrangler = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
// prettier-ignore
const args = [wrangler, "dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(await freePort()),
  "--var", `ZIZQ_URL:${zizqUrl}`, "--test-scheduled", "--show-interactive-dev-session=false"];
const child: ChildProcess = spawn(process.execPath, args, {
  cwd: root,
  env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
  stdio: ["ignore", "pipe", "pipe"],
});
let output = "";
const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
child.stdout?.on("data", (chunk: Buffer) => {
  output += chunk;
  process.stdout.write(chunk);
});
child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(chunk));

async function stop(code: number): Promise<never> {
  if (child.exitCode === null) child.kill("SIGTERM");
  await exited;
  embedded?.close();
  await handle?.close();
  process.exit(code);
}
process.once("SIGINT", () => void stop(0));
process.once("SIGTERM", () => void stop(0));

/** Resolves once the Worker answers (its health route), or fails after 30 s. */
async function ready(): Promise<void> {
  for (const end = Date.now() + 30_000; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 200))) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    const response = await fetch(`${workerUrl}/`).catch(() => undefined);
    if (response) return void (await response.body?.cancel());
  }
  throw new Error("wrangler dev did not answer within 30 s");
}

try {
  await ready();
} catch (error) {
  console.error(String(error));
  await stop(1);
}
console.log(`\nExample Worker on ${workerUrl}, Zizq ${embedded ? `(embedded test server) ` : ""}at ${zizqUrl}`);

if (!demo) {
  console.log(`Try:
  curl ${workerUrl}/
  curl -X POST ${workerUrl}/emails -H 'content-type: application/json' -d '{"to":"a@example.com","subject":"Hi"}'
  curl '${workerUrl}/__scheduled?cron=*+*+*+*+*'     # fires the cron: drains the emails queue
Ctrl-C stops.`);
} else {
  const emails = Array.from({ length: 200 }, (_, i) => ({ to: `user${i}@example.com`, subject: "Welcome" }));
  const enqueued = await fetch(`${workerUrl}/emails`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(emails) });
  console.log(`POST /emails: ${enqueued.status} (${((await enqueued.json()) as { enqueued: string[] }).enqueued.length} enqueued)`);
  const fired = await fetch(`${workerUrl}/__scheduled?cron=${encodeURIComponent("* * * * *")}`);
  console.log(`GET /__scheduled: ${fired.status} ${await fired.text()}`);
  const left = await new Client({ url: zizqUrl }).jobs({ queue: "emails" }).count();
  // wrangler prints the Worker's log lines as they come; give the drain's summary a moment.
  const summary = /zizq drain \(\* \* \* \* \*\): 200 jobs \(200 completed, 0 failed\)/;
  for (let i = 0; i < 20 && !summary.test(output); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  const drained = summary.test(output);
  console.log(`jobs left in the emails queue: ${left}; drain summary logged: ${drained ? "yes" : "no"}`);
  await stop(left === 0 && drained && fired.ok ? 0 : 1);
}
