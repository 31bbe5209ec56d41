/**
 * `npm run docs:check`: every TypeScript block in README.md and docs/*.md compiles, as written,
 * against the built package (dist/*.d.ts from `npm run build`) the way a user's project sees it:
 * `zizq-edge` and each subpath resolve through package.json `exports`, other imports (valibot,
 * hono) through node_modules.
 *
 * Each ```ts block is its own ES module, so a block must define what it uses. Where a block is a
 * continuation and repeating the setup would bury its point, an HTML comment right above the fence
 * gives it a prelude that readers do not see:
 *
 *   <!-- prelude
 *   import { Client } from "zizq-edge";
 *   const client = new Client({ url: "http://127.0.0.1:7890" });
 *   -->
 *
 * The test runners the testing guide shows besides vitest and node:test have no types installed
 * here: RUNNERS declares the little of `bun:test` and `Deno.test` that its blocks use.
 *
 * Errors are reported at the Markdown file and line of the block. Relative links between these
 * files, and their #anchors, are checked too: a guide that moves must not leave a dead link.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { pathToFileURL } from "node:url";

const root = new URL("..", import.meta.url).pathname;
const scratch = join(root, "node_modules/.cache/doc-blocks");

export interface Block {
  /** The Markdown file, relative to the repo. */
  doc: string;
  /** Line of the block's first code line in the Markdown file (1-based). */
  line: number;
  prelude: string[];
  code: string[];
}

/** `bun:test` (jest's API, typed here as vitest's) and `Deno.test`, for the testing guide's blocks. */
const RUNNERS = `declare module "bun:test" {
  export { afterAll, beforeEach, expect, test } from "vitest";
}
declare const Deno: { test(name: string, fn: () => unknown): void };
`;

/** README.md and every Markdown file under docs/ except the generated API reference. */
function docFiles(): string[] {
  const docs = readdirSync(join(root, "docs"), { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".md") && !name.startsWith("api/"))
    .map((name) => join("docs", name));
  return ["README.md", ...docs.sort()];
}

/** The ```ts blocks of one Markdown text, each with the hidden prelude right above it, if any. */
export function blocksOf(doc: string, text: string): Block[] {
  const lines = text.split("\n");
  const blocks: Block[] = [];
  let prelude: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "<!-- prelude") {
      const end = lines.indexOf("-->", i);
      if (end === -1) throw new Error(`${doc}:${i + 1}: unclosed <!-- prelude`);
      prelude = lines.slice(i + 1, end);
      i = end;
      continue;
    }
    const fence = /^(\s*)```(ts|typescript)\s*$/.exec(line);
    if (fence === null) {
      if (line.trim() !== "") prelude = [];
      continue;
    }
    const end = lines.findIndex((l, j) => j > i && l.trim() === "```");
    if (end === -1) throw new Error(`${doc}:${i + 1}: unclosed code block`);
    const indent = fence[1]!.length;
    blocks.push({ doc, line: i + 2, prelude, code: lines.slice(i + 1, end).map((l) => l.slice(indent)) });
    prelude = [];
    i = end;
  }
  return blocks;
}

/** The lines of a Markdown text outside fenced code blocks, with their 1-based numbers. */
function prose(text: string): [number, string][] {
  let fenced = false;
  return text.split("\n").flatMap((line, i): [number, string][] => {
    if (/^\s*```/.test(line)) fenced = !fenced;
    else if (!fenced) return [[i + 1, line]];
    return [];
  });
}

/** GitHub's anchors for a text's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, line] of prose(text)) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading === null) continue;
    const slug = heading[1]!.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
    let anchor = slug;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${slug}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

/** Relative links of `doc` whose file or #anchor does not exist; `read` answers a repo file's text, or undefined. */
export function brokenLinks(doc: string, text: string, read: (path: string) => string | undefined): string[] {
  const broken: string[] = [];
  for (const [line, content] of prose(text)) {
    for (const [, target] of content.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z][a-z+.-]*:/i.test(target!)) continue; // https:, mailto:
      const [file, anchor] = target!.split("#", 2) as [string, string | undefined];
      const path = file === "" ? doc : normalize(join(dirname(doc), file));
      const linked = read(path);
      if (linked === undefined) broken.push(`${doc}:${line}: ${target} links to a missing file`);
      else if (anchor !== undefined && path.endsWith(".md") && !anchorsOf(linked).has(anchor)) {
        broken.push(`${doc}:${line}: ${target} links to a missing heading`);
      }
    }
  }
  return broken;
}

/** `zizq-edge/x` -> dist's declaration file, read from package.json `exports`. */
function packagePaths(): Record<string, string[]> {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    name: string;
    exports: Record<string, string | { types?: string }>;
  };
  const paths: Record<string, string[]> = {};
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target === "string" || target.types === undefined) continue;
    const types = join(root, target.types);
    if (!existsSync(types)) throw new Error(`${relative(root, types)} is missing: run \`npm run build\` first`);
    paths[subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`] = [types];
  }
  return paths;
}

/** A tsc line about `block-3.ts(12,5)` -> `docs/workers.md:40:5 ...` (or the prelude's block); other lines as they are. */
export function inDocs(line: string, blocks: readonly Block[]): string {
  const match = /^(?:\S*\/)?block-(\d+)\.ts\((\d+),(\d+)\): (.*)$/.exec(line);
  const block = match === null ? undefined : blocks[Number(match[1])];
  if (match === null || block === undefined) return line;
  const at = Number(match[2]) - block.prelude.length;
  const where = at >= 1 ? `${block.doc}:${block.line + at - 1}:${match[3]}` : `${block.doc}: the prelude of the block at line ${block.line}`;
  return `${where} ${match[4]}`;
}

function main(): void {
  const read = (path: string) => (existsSync(join(root, path)) ? readFileSync(join(root, path), "utf8") : undefined);
  const docs = docFiles();
  const links = docs.flatMap((doc) => brokenLinks(doc, read(doc)!, read));
  const blocks = docs.flatMap((doc) => blocksOf(doc, read(doc)!));
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ type: "module" }));
  const files = blocks.map((block, index) => {
    const name = `block-${index}.ts`;
    // `export {}` keeps a block without imports a module, so top-level await compiles.
    writeFileSync(join(scratch, name), [...block.prelude, ...block.code, "export {};", ""].join("\n"));
    return name;
  });
  writeFileSync(join(scratch, "runners.d.ts"), RUNNERS);
  writeFileSync(
    join(scratch, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        lib: ["ES2022", "DOM", "DOM.Iterable", "DOM.AsyncIterable"],
        types: ["node"],
        typeRoots: [join(root, "node_modules/@types")],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        paths: packagePaths(),
      },
      files: [...files, "runners.d.ts"],
    }),
  );

  let output = "";
  try {
    execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", scratch, "--pretty", "false"], {
      encoding: "utf8",
      stdio: "pipe",
    });
  } catch (error) {
    // tsc reports on stdout; anything else (a crash) must fail the check too.
    const failed = error as { stdout?: string; stderr?: string };
    output = failed.stdout || failed.stderr || String(error);
  }

  const report = [
    ...links,
    ...output
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => inDocs(line, blocks)),
  ];

  if (report.length > 0) {
    console.error(report.join("\n"));
    const errors = report.filter((line) => line.includes(" error TS")).length;
    console.error(`\n${errors} errors in ${blocks.length} TypeScript blocks; ${links.length} broken links`);
    process.exit(1);
  }
  console.log(`${blocks.length} TypeScript blocks in ${docs.length} files type-check against dist/; their relative links resolve`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main();
