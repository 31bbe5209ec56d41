/** The package as users receive it: the core stays runtime-neutral and every export builds. */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

describe("src/ uses only the web platform", () => {
  const files = sourceFiles(join(root, "src"));
  it.for(files.map((file) => [file.slice(root.length + 1)] as const))("%s", ([file]) => {
    const code = readFileSync(join(root, file), "utf8");
    expect(code).not.toMatch(/["']node:/);
    expect(code).not.toMatch(/\bBuffer\b/);
    // Not the OpenTelemetry metric name "messaging.process.duration".
    expect(code).not.toMatch(/(?<!-|messaging\.)\bprocess\s*[.[]/);
    expect(code).not.toMatch(/\b(Deno|Bun)\./);
  });
});

describe("the build", () => {
  it("emits JavaScript and types for every export, and each entry imports", async () => {
    execFileSync("npx", ["tsdown", "--log-level", "error"], { cwd: root, stdio: "pipe" });
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      exports: Record<string, string | { types: string; default: string }>;
    };
    const entries = Object.entries(pkg.exports).filter(([, target]) => typeof target === "object");
    expect(entries.map(([name]) => name)).toEqual([".", "./testing", "./testing/vitest", "./node", "./bun", "./deno", "./cloudflare", "./hono", "./push", "./otel"]);
    for (const [name, target] of entries) {
      if (typeof target === "string") continue;
      expect(existsSync(join(root, target.types)), `${name} types`).toBe(true);
      const mod = (await import(join(root, target.default))) as Record<string, unknown>;
      expect(Object.keys(mod).length, `${name} exports`).toBeGreaterThan(0);
    }
    const testing = (await import(join(root, "dist/testing.js"))) as typeof import("../../src/testing/index.ts");
    const server = testing.createTestServer();
    const reply = await server.fetch(new Request("http://zizq.test/version"));
    expect(await reply.json()).toEqual({ version: "0.7.0" });
    server.close();
  });
});

describe("the entry map, written for each tool that resolves `zizq-edge`", () => {
  const read = (file: string) => JSON.parse(readFileSync(join(root, file), "utf8")) as Record<string, unknown>;
  const pkg = read("package.json") as { exports: Record<string, string | { default: string }> };
  /** Each export with the specifier users import it by: `./node` -> `zizq-edge/node`. */
  const entries = Object.keys(pkg.exports)
    .filter((name) => name !== "./package.json")
    .map((name) => [name, name === "." ? "zizq-edge" : `zizq-edge/${name.slice(2)}`] as const);
  const jsr = read("jsr.json") as { exports: Record<string, string> };
  const sources = Object.fromEntries(entries.map(([name]) => [name, jsr.exports[name]?.replace(/^\.\//, "")]));
  /**
   * Entries built from another source than JSR publishes: JSR refuses module augmentation, so its
   * `./testing/vitest` is the matchers alone (matchers.ts), without the file that types them for vitest.
   */
  const npmSources: Record<string, string> = { "./testing/vitest": "src/testing/vitest.ts" };

  it("jsr.json has every export, each a source file that exists", () => {
    expect(Object.keys(jsr.exports)).toEqual(entries.map(([name]) => name));
    for (const source of Object.values(sources)) expect(existsSync(join(root, source!)), source).toBe(true);
  });

  it("tsconfig paths, the examples' import map and tsdown's entries point at the same sources", async () => {
    const tsconfig = JSON.parse(readFileSync(join(root, "tsconfig.json"), "utf8").replace(/^\s*\/\/.*$/gm, "")) as {
      compilerOptions: { paths: Record<string, string[]> };
    };
    const importMap = read("examples/import-map.json") as { imports: Record<string, string> };
    const { default: tsdown } = (await import(join(root, "tsdown.config.ts"))) as { default: { entry: Record<string, string> } };
    for (const [name, specifier] of entries) {
      const source = npmSources[name] ?? sources[name];
      expect(tsconfig.compilerOptions.paths[specifier], specifier).toEqual([`./${source}`]);
      expect(importMap.imports[specifier], specifier).toBe(`../${source}`);
      const target = pkg.exports[name] as { default: string };
      const built = target.default.replace(/^\.\/dist\/(.*)\.js$/, "$1");
      expect(tsdown.entry[built], specifier).toBe(source);
    }
  });
});
