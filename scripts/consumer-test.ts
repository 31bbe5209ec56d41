/**
 * `npm run test:package`: tests the artifact users install, not the checkout. Packs the
 * tarball (packing builds), lints it (publint --strict, attw's ESM-only profile), dry-runs the
 * JSR publish (jsr.json: same version and exports as package.json), installs the tarball
 * into a scratch project outside the repo, and from there:
 *   - measures what `npm install zizq-edge` brings (budget INSTALL_BUDGET_BYTES);
 *   - for the oldest and the newest hono 4.x: one hono in `npm ls`, the consumer program
 *     (test/consumer/smoke.ts) type-checks with moduleResolution nodenext and bundler and
 *     `skipLibCheck: false`, and runs in Node;
 *   - runs the same program in Bun and Deno;
 *   - bundles the example Worker (examples/worker.ts, importing the package by name) for
 *     workerd with wrangler, and serves a request with the bundle in workerd; and, without
 *     @msgpack/msgpack, a JSON user's Worker, whose `format: "msgpack"` names what to install.
 * Each check prints "ok - ..." or "not ok - ..."; the last line, "package checks: N passed,
 * M failed", is what .ci/run counts.
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const repo = join(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as {
  version: string;
  exports: Record<string, string | Record<string, string>>;
  devDependencies: Record<string, string>;
};
const devDeps = pkg.devDependencies;

const INSTALL_BUDGET_BYTES = 1_500_000;
/**
 * The oldest hono the peer range admits and the newest 4.x the registry has, each with the
 * @hono/node-server a project on it has (2.x imports hono/ws helpers that hono 4.6 lacks).
 */
const HONO_VERSIONS = [
  { hono: "4.6.0", nodeServer: "1.19.19", resolutions: ["nodenext"] },
  { hono: "^4", nodeServer: devDeps["@hono/node-server"]!, resolutions: ["nodenext", "bundler"] },
];
/** The oldest undici the peer range admits that runs on Node 20 (8.x needs Node 22.19). */
const UNDICI = "7.0.0";

const bin = (name: string) => join(repo, "node_modules", ".bin", name);
/** The test server's and the smoke's packages, at the versions the lockfile tests. */
const peers = ["jq-web", "croner", "scru128", "@msgpack/msgpack", "valibot", "@opentelemetry/api"].map((name) => `${name}@${devDeps[name]}`);
// NO_COLOR alone: Deno takes any FORCE_COLOR, even 0, as a request for colour codes.
const { FORCE_COLOR: _, ...inherited } = process.env;
const env = { ...inherited, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", WRANGLER_SEND_METRICS: "false" };

let passed = 0;
let failed = 0;

/** Runs a command to its end, resolving with its stdout; rejects with the tail of its output when it fails. */
function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env });
    let stdout = "";
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => ((stdout += text), (output += text)));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (output += text));
    child.once("error", reject);
    child.once("close", (code, signal) => {
      if (code === 0) return resolve(stdout);
      const tail = output.trim().split("\n").slice(-25).join("\n");
      reject(new Error(`${[command, ...args].join(" ")} exited ${code ?? signal}:\n${tail}`));
    });
  });
}

async function check(name: string, body: () => unknown): Promise<void> {
  const started = performance.now();
  try {
    const note = await body();
    passed++;
    console.log(`ok - ${name}${typeof note === "string" ? `: ${note}` : ""} (${Math.round(performance.now() - started)} ms)`);
  } catch (error) {
    failed++;
    console.log(`not ok - ${name}\n${error instanceof Error ? error.message : String(error)}`.replaceAll("\n", "\n    "));
  }
}

/** Bytes of every file under `dir` (what the files hold, not the blocks they occupy). */
function bytesUnder(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}

/** Runs a script of the scratch project in Node, Bun and Deno; each must print `expected`. */
async function runEverywhere(script: string, expected: string): Promise<void> {
  for (const [runtime, command, args] of [
    ["Node", process.execPath, []],
    ["Bun", bin("bun"), []],
    ["Deno", bin("deno"), ["run", "--node-modules-dir=manual", "--allow-read", "--allow-env"]],
  ] as const) {
    const said = (await run(command, [...args, script], app)).trim();
    if (said !== expected) throw new Error(`${runtime} said: ${said}\nexpected: ${expected}`);
  }
}

const scratch = mkdtempSync(join(tmpdir(), "zizq-edge-consumer-"));
const app = join(scratch, "app");
const npm = (...args: string[]) => run("npm", [...args, "--no-audit", "--no-fund", "--prefer-offline"], app);
let tarball = "";

try {
  await check("npm pack builds and ships dist", async () => {
    const [pack] = JSON.parse(await run("npm", ["pack", "--json", "--pack-destination", scratch], repo)) as {
      filename: string;
      size: number;
      unpackedSize: number;
      files: { path: string }[];
    }[];
    tarball = join(scratch, pack!.filename);
    const files = pack!.files.map((file) => file.path);
    const exported = Object.values(pkg.exports)
      .flatMap((target) => (typeof target === "string" ? [target] : Object.values(target)))
      .map((path) => path.replace(/^\.\//, ""));
    const missing = exported.filter((path) => !files.includes(path));
    if (missing.length) throw new Error(`the tarball lacks ${missing.join(", ")}`);
    const stray = files.filter((path) => !/^(dist\/[^/]+\.(js|d\.ts)|package\.json|README\.md|LICENSE|CHANGELOG\.md)$/.test(path));
    if (stray.length) throw new Error(`the tarball ships files users do not need: ${stray.join(", ")}`);
    return `${pack!.filename}, ${files.length} files, ${pack!.size} B packed, ${pack!.unpackedSize} B unpacked`;
  });
  if (!tarball) throw new Error("no tarball to test");

  await check("publint --strict", async () => void (await run(bin("publint"), ["run", "--strict", tarball], repo)));
  await check("attw, ESM-only profile", async () => void (await run(bin("attw"), [tarball, "--profile", "esm-only", "--format", "table-flipped", "--no-emoji"], repo)));

  await check("jsr.json matches package.json and deno publish --dry-run passes", async () => {
    const jsr = JSON.parse(readFileSync(join(repo, "jsr.json"), "utf8")) as { version: string; exports: Record<string, string> };
    const npmEntries = Object.keys(pkg.exports).filter((entry) => entry !== "./package.json");
    if (jsr.version !== pkg.version) throw new Error(`jsr.json has version ${jsr.version}, package.json ${pkg.version}`);
    if (Object.keys(jsr.exports).join() !== npmEntries.join()) throw new Error(`jsr.json exports ${Object.keys(jsr.exports).join()}, package.json ${npmEntries.join()}`);
    // Works offline: the dry run checks types and slow types against node_modules, not jsr.io.
    await run(bin("deno"), ["publish", "--dry-run", "--allow-dirty"], repo);
  });

  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  await check(`npm install zizq-edge installs at most ${INSTALL_BUDGET_BYTES} B`, async () => {
    await npm("install", tarball);
    const installed = readdirSync(join(app, "node_modules"), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.name === "package.json" && /node_modules\/(@[^/]+\/)?[^/@]+$/.test(entry.parentPath))
      .map((entry) => entry.parentPath.slice(join(app, "node_modules").length + 1))
      .sort();
    const bytes = bytesUnder(join(app, "node_modules"));
    const note = `${bytes} B in ${installed.join(", ")}`;
    if (bytes > INSTALL_BUDGET_BYTES) throw new Error(`over budget: ${note}`);
    return note;
  });

  await check("without optional peers, the entries that need none load, a JSON producer and Worker run, and in Node, Bun and Deno the test server, Node's serve and format \"msgpack\" name what to install", async () => {
    writeFileSync(
      join(app, "peerless.mjs"),
      `for (const entry of ["zizq-edge", "zizq-edge/hono", "zizq-edge/push", "zizq-edge/cloudflare", "zizq-edge/bun", "zizq-edge/deno", "zizq-edge/node", "zizq-edge/testing/vitest"]) await import(entry);
       await import("zizq-edge/testing").then(() => console.log("zizq-edge/testing loaded"), (error) => console.log(error.message));
       await import("zizq-edge/otel").then(() => console.log("zizq-edge/otel loaded"), (error) => console.log(error.message));
       const { serve } = await import("zizq-edge/node");
       await serve({ fetch: () => new Response() }).then((handle) => handle.close(), (error) => console.log(error.message));
       const { zizqDashboard } = await import("zizq-edge/hono");
       try { zizqDashboard({}); } catch (error) { console.log(error.message); }
       const { Client, defineJob, Router, Worker } = await import("zizq-edge");
       const Greet = defineJob({ type: "greet", queue: "default" });
       const wire = { id: "j1", type: "greet", queue: "default", priority: 0, status: "ready", payload: { name: "json" }, ready_at: 0, attempts: 0 };
       // A scripted Zizq (the test server needs peers): the enqueue, a take streaming the job as NDJSON, its ack.
       const zizq = async (url, init = {}) => {
         const route = (init.method ?? "GET") + " " + new URL(url).pathname;
         if (route === "POST /jobs") return Response.json({ ...wire, duplicate: false, folded: false }, { status: 201 });
         const line = new TextEncoder().encode(JSON.stringify({ ...wire, status: "in_flight" }) + "\\n");
         if (route === "GET /jobs/take") return new Response(new ReadableStream({ start: (c) => c.enqueue(line) }), { headers: { "content-type": "application/x-ndjson" } });
         return new Response(null, { status: route.endsWith("/success") ? 204 : 500 });
       };
       const client = new Client({ url: "http://127.0.0.1:1", fetch: zizq });
       await client.enqueue(Greet, { name: "json" });
       const greeted = [];
       const router = new Router().route(Greet, async ({ name }) => void greeted.push(name));
       const { completed } = await new Worker({ client, router }).drain({ maxJobs: 1, maxDuration: 10_000 });
       console.log("a JSON producer and Worker without @msgpack/msgpack: " + completed + " completed, greeted " + greeted.join());
       // The Worker says so when made, the Client at its first MessagePack request.
       const packed = new Client({ url: "http://127.0.0.1:1", format: "msgpack", fetch: zizq });
       // A Worker over that Client stops at once: no retry installs a package.
       const overPacked = () => new Worker({ client: packed, router }).drain({ maxDuration: 10_000 });
       for (const use of [async () => new Worker({ client, router, format: "msgpack" }), () => packed.enqueue(Greet, { name: "msgpack" }), overPacked]) {
         await use().then(() => console.log("format msgpack worked"), (error) => console.log(error.constructor.name + ": " + error.message));
       }`,
    );
    const expected = [
      'createTestServer needs the optional package "hono": npm install -D hono jq-web croner scru128 @msgpack/msgpack',
      'zizq-edge/otel needs the optional package "@opentelemetry/api": npm install @opentelemetry/api',
      'serve needs the optional package "@hono/node-server": npm install @hono/node-server',
      'zizqDashboard needs the optional package "hono": npm install hono',
      "a JSON producer and Worker without @msgpack/msgpack: 1 completed, greeted json",
      ...Array(3).fill('ZizqArgumentError: format: "msgpack" needs the optional package "@msgpack/msgpack": npm install @msgpack/msgpack'),
    ].join("\n");
    await runEverywhere("peerless.mjs", expected);
  });

  await check('without @msgpack/msgpack, a JSON user\'s Worker bundles with wrangler, and format "msgpack" in workerd names what to install', async () => {
    writeFileSync(
      join(app, "json-worker.js"),
      `import { Client, defineJob } from "zizq-edge";
       const Ping = defineJob({ type: "ping", queue: "default" });
       export default {
         fetch() {
           const client = new Client({ url: "http://zizq.test", format: "msgpack", fetch: () => Promise.reject(new Error("no request expected")) });
           return client.enqueue(Ping, {}).then(() => new Response("enqueued"), (error) => new Response(error.constructor.name + ": " + error.message));
         },
       };`,
    );
    await run(process.execPath, [bin("wrangler"), "deploy", "json-worker.js", "--name", "json", "--compatibility-date", "2025-09-01", "--dry-run", "--outdir", "json-bundle"], app);
    const contents = readFileSync(join(app, "json-bundle", "json-worker.js"), "utf8");
    const { Miniflare } = createRequire(join(repo, "package.json"))("miniflare") as typeof import("miniflare");
    // The module listed, not found by Miniflare's walk, which refuses the import the bundle leaves to workerd.
    const mf = new Miniflare({ modules: [{ type: "ESModule", path: "worker.js", contents }], compatibilityDate: "2025-09-01" });
    try {
      const said = await (await mf.dispatchFetch("http://worker.test/")).text();
      const expected = 'ZizqArgumentError: format: "msgpack" needs the optional package "@msgpack/msgpack": npm install @msgpack/msgpack';
      if (said !== expected) throw new Error(`workerd said: ${said}\nexpected: ${expected}`);
      return `${contents.length} B bundle`;
    } finally {
      await mf.dispose();
    }
  });

  for (const [index, { hono, nodeServer, resolutions }] of HONO_VERSIONS.entries()) {
    const pair = [`hono@${hono}`, `@hono/node-server@${nodeServer}`];
    const installs = index === 0 ? [...pair, `undici@${UNDICI}`, ...peers, `@types/node@${devDeps["@types/node"]}`] : pair;
    await npm("install", ...installs);
    if (index === 0) {
      copyFileSync(join(repo, "test", "consumer", "smoke.ts"), join(app, "smoke.ts"));
      for (const resolution of ["nodenext", "bundler"]) {
        const module = resolution === "nodenext" ? "nodenext" : "preserve";
        const compilerOptions = { target: "ES2022", module, moduleResolution: resolution, lib: ["ES2022", "DOM", "DOM.Iterable"], types: ["node"], strict: true, noEmit: true, skipLibCheck: false };
        writeFileSync(join(app, `tsconfig.${resolution}.json`), JSON.stringify({ compilerOptions, files: ["smoke.ts"] }));
      }
    }
    const version = (JSON.parse(readFileSync(join(app, "node_modules", "hono", "package.json"), "utf8")) as { version: string }).version;
    await check(`hono ${version}: one copy in npm ls`, async () => {
      const tree = (await run("npm", ["ls", "hono", "--all", "--parseable"], app)).trim().split("\n").filter(Boolean);
      if (tree.length !== 1) throw new Error(`npm ls hono lists ${tree.length} copies:\n${tree.join("\n")}`);
    });
    // Each tsc run checks every declaration file (about 20 s here); the two run side by side.
    await Promise.all(
      resolutions.map((resolution) =>
        check(`hono ${version}: the consumer type-checks (moduleResolution ${resolution}, skipLibCheck false)`, async () => {
          await run(process.execPath, [join(repo, "node_modules", "typescript", "bin", "tsc"), "-p", `tsconfig.${resolution}.json`], app);
        }),
      ),
    );
    await check(`hono ${version}: Node runs the consumer from the tarball`, async () =>
      (await run(bin("tsx"), ["--tsconfig", "tsconfig.nodenext.json", "smoke.ts"], app)).trim(),
    );
  }

  await check("Bun runs the consumer from the tarball", async () => (await run(bin("bun"), ["smoke.ts"], app)).trim());
  await check("Deno runs the consumer from the tarball", async () =>
    (await run(bin("deno"), ["run", "--node-modules-dir=manual", "--allow-net=127.0.0.1", "--allow-read", "--allow-env", "--allow-sys", "smoke.ts"], app)).trim(),
  );

  await check("Node, Bun and Deno run the test helpers and the matchers (without vitest) from the tarball", async () => {
    writeFileSync(
      join(app, "helpers.mjs"),
      `import { defineJob, NonRetryableError, Router } from "zizq-edge";
       import { createTestClient } from "zizq-edge/testing";
       import { zizqMatchers } from "zizq-edge/testing/vitest";
       const Ping = defineJob({ type: "ping", queue: "pings" });
       const zizq = createTestClient({ license: "pro" });
       await zizq.client.enqueue(Ping, { n: 1 });
       await zizq.client.enqueue(Ping, { n: 2 }, { delay: "5m" });
       const router = new Router().route(Ping, ({ n }) => { if (n === 2) throw new NonRetryableError("no"); });
       const first = await zizq.perform(router, { logger: { warn() {}, error() {} } });
       zizq.advance("5m");
       const second = await zizq.perform(router, { logger: { warn() {}, error() {} } });
       const matched = zizqMatchers.toHaveEnqueuedTimes.call({}, zizq, Ping, 1, { n: 2 }).pass;
       console.log(first.completed, second.dead, matched, JSON.stringify(zizq.counts()));
       zizq.close();`,
    );
    const expected = '1 1 true {"scheduled":0,"ready":0,"in_flight":0,"completed":1,"dead":1}';
    await runEverywhere("helpers.mjs", expected);
    return expected;
  });

  await check("the zizq-edge-dev-server bin serves the test server on a port", async () => {
    const child = spawn(join(app, "node_modules", ".bin", "zizq-edge-dev-server"), ["--port", "0"], { cwd: app, env });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = "";
        child.stdout.setEncoding("utf8").on("data", (text: string) => {
          output += text;
          const listening = /Listening on (\S+)/.exec(output);
          if (listening) resolve(listening[1]!);
        });
        child.stderr.setEncoding("utf8").on("data", (text: string) => (output += text));
        child.once("close", (code) => reject(new Error(`exited ${code} before listening:\n${output}`)));
      });
      const reply = await fetch(`${url}/health`);
      if (reply.status !== 200) throw new Error(`GET /health answered ${reply.status}`);
      return `${url}/health -> ${JSON.stringify(await reply.json())}`;
    } finally {
      child.kill("SIGTERM");
    }
  });

  await check("the example Worker bundles for workerd and serves a request", async () => {
    const source = readFileSync(join(repo, "examples", "worker.ts"), "utf8");
    if (/from "\.\.?\//.test(source)) throw new Error("examples/worker.ts imports a file of the repo, not the package");
    writeFileSync(join(app, "worker.ts"), source);
    writeFileSync(join(app, "wrangler.toml"), 'name = "consumer"\nmain = "worker.ts"\ncompatibility_date = "2025-09-01"\n');
    await run(process.execPath, [bin("wrangler"), "deploy", "--dry-run", "--outdir", "bundle"], app);
    const script = readFileSync(join(app, "bundle", "worker.js"), "utf8");
    // The bundle in workerd, against the test server served by Node from the installed package.
    const fromApp = createRequire(join(app, "package.json"));
    const { Miniflare } = createRequire(join(repo, "package.json"))("miniflare") as typeof import("miniflare");
    const { createTestServer } = (await import(fromApp.resolve("zizq-edge/testing"))) as typeof import("../src/testing/index.ts");
    const { serve } = (await import(fromApp.resolve("zizq-edge/node"))) as typeof import("../adapters/node.ts");
    const server = createTestServer();
    const handle = await serve(server);
    const mf = new Miniflare({ modules: true, script, compatibilityDate: "2025-09-01", bindings: { ZIZQ_URL: handle.url } });
    try {
      const reply = await mf.dispatchFetch("http://worker.test/");
      const body = (await reply.json()) as { status?: string; version?: string };
      if (reply.status !== 200 || body.status !== "ok") throw new Error(`GET / answered ${reply.status} ${JSON.stringify(body)}`);
      return `${script.length} B bundle; GET / -> ${JSON.stringify(body)}`;
    } finally {
      await mf.dispose();
      await handle.close();
      server.close();
    }
  });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

console.log(`package checks: ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
