/**
 * The shape of `src/`: every import (static, `export ... from`, type-only and dynamic) between
 * its files must point down the room order below or stay in its room, no file may reach itself
 * through its imports, and no file may grow past 400 lines without a stated reason.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = new URL("../../src/", import.meta.url).pathname;

/**
 * Rooms from the bottom up: a file may import its own room and the rooms before it. A room is a
 * folder of `src/`; `index.ts` at the root is the package entry and sits on top.
 */
const ROOMS = [
  // Public shapes only, importing nothing.
  "types",
  // What every adapter's `serve` takes and returns: the seam between runtimes and fetch apps.
  "adapter",
  "errors",
  "utils",
  // The server's wire: shapes, reply checks, name rules and the one snake_case <-> camelCase mapping.
  "protocol",
  "stream",
  "unique-key",
  "job",
  // Router, Outcome and AckBatcher: serve the Worker and the push endpoint alike.
  "processing",
  "client",
  "worker",
  "push",
  "relay",
  // zizq-edge/otel: the OpenTelemetry side of the instrumentation seam (processing/instrumentation.ts).
  "otel",
  // The Hono dashboard (zizq-edge/hono): pages and actions over the Client.
  "dashboard",
  "testing",
  "index.ts",
] as const;

/** Files allowed past the line limit, each with its reason. */
const LONG_FILES: Record<string, string> = {};
const MAX_LINES = 400;

/** Cycles allowed for now, each with its reason. */
const KNOWN_CYCLES: Record<string, string> = {};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".ts"))
    .map((name) => name.split("\\").join("/"))
    .sort();
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm;

/** The files of `src/` a file imports, relative to `src/`. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), "utf8");
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[1]!;
    if (!specifier.startsWith(".")) continue;
    found.push(relative(SRC, join(SRC, dirname(file), specifier)).split("\\").join("/"));
  }
  return found;
}

function roomOf(file: string): string {
  const slash = file.indexOf("/");
  return slash === -1 ? file : file.slice(0, slash);
}

const files = sourceFiles(SRC).filter((file) => !file.endsWith(".d.ts"));
const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe("src/ architecture", () => {
  it("puts every file in a room of the table", () => {
    const homeless = files.filter((file) => !(ROOMS as readonly string[]).includes(roomOf(file)));
    expect(homeless).toEqual([]);
  });

  it("imports only existing files", () => {
    const missing = [...graph].flatMap(([file, imports]) => imports.filter((target) => !graph.has(target)).map((target) => `${file} -> ${target}`));
    expect(missing).toEqual([]);
  });

  it("imports only its own room or rooms below it", () => {
    const rank = (file: string) => (ROOMS as readonly string[]).indexOf(roomOf(file));
    const upward = [...graph].flatMap(([file, imports]) =>
      imports.filter((target) => rank(target) > rank(file)).map((target) => `${file} -> ${target}`),
    );
    expect(upward).toEqual([]);
  });

  it("has no import cycles", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const path: string[] = [];
    const visit = (file: string) => {
      state.set(file, "open");
      path.push(file);
      for (const target of graph.get(file) ?? []) {
        if (state.get(target) === "open") cycles.push([...path.slice(path.indexOf(target)), target].join(" -> "));
        else if (!state.has(target)) visit(target);
      }
      path.pop();
      state.set(file, "done");
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles.filter((cycle) => !(cycle in KNOWN_CYCLES))).toEqual([]);
    // A listed cycle that is gone leaves the list.
    expect(Object.keys(KNOWN_CYCLES).filter((cycle) => !cycles.includes(cycle))).toEqual([]);
  });

  it("counts lines as an editor does: a trailing newline ends the last line, it starts none", () => {
    expect([lineCount(""), lineCount("a"), lineCount("a\n"), lineCount("a\nb"), lineCount(`${"x\n".repeat(MAX_LINES)}`)]).toEqual([0, 1, 1, 2, MAX_LINES]);
  });

  it(`keeps files within ${MAX_LINES} lines unless a reason is listed`, () => {
    const long = files.filter((file) => lineCount(readFileSync(join(SRC, file), "utf8")) > MAX_LINES);
    expect(long.filter((file) => !(file in LONG_FILES))).toEqual([]);
    // A listed file that has shrunk leaves the list, so the list stays true.
    expect(Object.keys(LONG_FILES).filter((file) => graph.has(file) && !long.includes(file))).toEqual([]);
  });
});

function lineCount(text: string): number {
  return text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}
