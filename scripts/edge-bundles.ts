/**
 * `npm run bundles`: proves the edge builds need no Node. It builds
 *
 *   1. the example Worker (wrangler.toml, examples/worker.ts) with `wrangler deploy --dry-run
 *      --minify`: wrangler's own esbuild bundle for workerd, no Cloudflare account and no network
 *      needed (wrangler's update check is best-effort and times out after 3 s);
 *   2. the producer of DESIGN.md §3 (scripts/size/producer.ts) for the browser, with rolldown;
 *   3. a Workers producer (`clientFromEnv` from zizq-edge/cloudflare, one enqueue) for workerd,
 *      with rolldown;
 *
 * and fails when wrangler.toml asks for `nodejs_compat`, or a bundle imports a `node:` module,
 * carries a Node polyfill (unenv, the buffer/process/events/util shims) or uses a Node global
 * (`process`, `Buffer`, …). It prints each bundle's
 * minified and gzipped size. For the rolldown builds, "loaded" is the entry chunk and the chunks
 * it imports statically; what the client loads on first use (acks, queries, take streams,
 * MessagePack) sits in the other chunks and is counted in "all". Wrangler uploads one file.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { type OutputChunk, type RolldownPluginOption, rolldown } from "rolldown";

const root = fileURLToPath(new URL("../", import.meta.url));

/** Module paths and code fragments that mean a Node built-in or polyfill made it into a bundle. */
const POLYFILL_MODULES = /[\\/]node_modules[\\/](unenv|@cloudflare[\\/]unenv-preset|buffer|process|events|util|node-stdlib-browser|path-browserify|stream-browserify|crypto-browserify)[\\/]/;
const NODE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s*)["']node:[a-z_/]+["']/;
const POLYFILL_CODE = /\bunenv\b|__vite-browser-external|node-stdlib-browser/;
/** Node's globals, used without an import (not as a property name: `x.process` is fine). */
const NODE_GLOBAL = /(?<![.\w$])(?:process|Buffer|global|__dirname|__filename|setImmediate)\s*[.[(]/;

export interface Size {
  min: number;
  gz: number;
}

export interface Report {
  name: string;
  how: string;
  loaded: Size;
  all: Size;
}

const size = (codes: string[]): Size => {
  const joined = Buffer.from(codes.join(""));
  return { min: joined.length, gz: gzipSync(joined, { level: 9 }).length };
};

export function checkCode(name: string, code: string): void {
  const nodeImport = NODE_IMPORT.exec(code);
  if (nodeImport) throw new Error(`${name}: imports a Node built-in (${nodeImport[0]})`);
  const polyfill = POLYFILL_CODE.exec(code);
  if (polyfill) throw new Error(`${name}: carries a Node polyfill (${polyfill[0]})`);
  const global = NODE_GLOBAL.exec(code);
  if (global) throw new Error(`${name}: uses a Node global (${global[0]})`);
}

/** The example Worker, bundled by wrangler exactly as `wrangler deploy` would upload it. */
async function wranglerDryRun(): Promise<Report> {
  const toml = await readFile(join(root, "wrangler.toml"), "utf8");
  const flags = /^\s*compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? "";
  if (/nodejs(_als)?_compat/.test(flags)) throw new Error(`wrangler.toml: compatibility_flags ask for Node (${flags.trim()})`);

  const outdir = await mkdtemp(join(tmpdir(), "zizq-edge-wrangler-"));
  try {
    const wrangler = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
    await promisify(execFile)(process.execPath, [wrangler, "deploy", "--dry-run", "--minify", "--outdir", outdir], {
      cwd: root,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    });
    const code = await readFile(join(outdir, "worker.js"), "utf8");
    checkCode("example Worker (wrangler)", code);
    const whole = size([code]);
    return { name: "example Worker", how: "wrangler deploy --dry-run --minify (workerd)", loaded: whole, all: whole };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/** One rolldown build, split into chunks as a user's bundler would split the lazy parts. */
export async function rolldownBuild(name: string, how: string, input: string, conditionNames: string[], plugins?: RolldownPluginOption): Promise<Report> {
  const build = await rolldown({
    input,
    cwd: root,
    platform: "browser",
    resolve: { conditionNames },
    plugins,
    // package.json says "sideEffects": false; a user's bundler reads it from there.
    treeshake: { moduleSideEffects: false },
    onLog(level, log) {
      // An unresolved `node:` import becomes an external with a warning: make it fatal instead.
      if (log.code === "UNRESOLVED_IMPORT" || log.code === "MISSING_NODE_BUILTINS") throw new Error(`${name}: ${log.message}`);
      if (level === "warn") console.warn(`${name}: ${log.message}`);
    },
  });
  const { output } = await build.generate({ format: "esm", minify: true, codeSplitting: true });
  await build.close();
  const chunks = output.filter((item): item is OutputChunk => item.type === "chunk");
  for (const chunk of chunks) {
    const external = [...chunk.imports, ...chunk.dynamicImports].find((id) => id.startsWith("node:") || !chunks.some((c) => c.fileName === id));
    if (external) throw new Error(`${name}: imports ${external}, outside the bundle`);
    const polyfill = chunk.moduleIds.find((id) => POLYFILL_MODULES.test(id));
    if (polyfill) throw new Error(`${name}: bundles the Node polyfill ${polyfill}`);
    checkCode(name, chunk.code);
  }
  const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
  const eager = new Set<string>();
  const visit = (file: string): void => {
    if (eager.has(file)) return;
    eager.add(file);
    for (const imported of byName.get(file)?.imports ?? []) visit(imported);
  };
  for (const chunk of chunks) if (chunk.isEntry) visit(chunk.fileName);
  return {
    name,
    how,
    loaded: size(chunks.filter((chunk) => eager.has(chunk.fileName)).map((chunk) => chunk.code)),
    all: size(chunks.map((chunk) => chunk.code)),
  };
}

/** A Workers producer through the adapter: what `zizq-edge/cloudflare` costs a Worker that only enqueues. */
function cloudflareProducer(): Promise<Report> {
  const id = "\0zizq-edge:cloudflare-producer";
  const code = `
    import * as v from "valibot";
    import { clientFromEnv } from ${JSON.stringify(join(root, "adapters/cloudflare.ts"))};
    import { defineJob } from ${JSON.stringify(join(root, "src/index.ts"))};
    const SendEmail = defineJob({ type: "send_email", queue: "emails", schema: v.object({ to: v.string() }) });
    export default {
      async fetch(request, env) {
        return Response.json(await clientFromEnv(env).enqueue(SendEmail, await request.json()));
      },
    };`;
  const entry = { name: "entry", resolveId: (source: string) => (source === id ? id : null), load: (source: string) => (source === id ? code : null) };
  const conditions = ["workerd", "worker", "browser", "import", "default"];
  return rolldownBuild("Workers producer", "rolldown, workerd conditions (clientFromEnv + defineJob + valibot)", id, conditions, [entry]);
}

/** Builds all three, checking each; throws on the first bundle that needs Node. */
export async function edgeBundles(): Promise<Report[]> {
  return [
    await wranglerDryRun(),
    await rolldownBuild("producer", "rolldown, browser conditions (Client + defineJob + valibot)", join(root, "scripts/size/producer.ts"), ["browser", "import", "default"]),
    await cloudflareProducer(),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let reports: Report[];
  try {
    reports = await edgeBundles();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
  console.log("No node: imports, no Node polyfills or globals, no nodejs_compat.\n");
  for (const report of reports) {
    console.log(`${report.name} — ${report.how}`);
    if (report.loaded.min === report.all.min) {
      console.log(`  ${report.all.min} B min (${kb(report.all.min)}), ${report.all.gz} B min+gz (${kb(report.all.gz)})`);
    } else {
      console.log(`  loaded: ${report.loaded.min} B min, ${report.loaded.gz} B min+gz; all chunks: ${report.all.min} B min, ${report.all.gz} B min+gz`);
    }
  }
}
