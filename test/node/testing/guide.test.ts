/**
 * docs/testing.md's full example, run as written: `npm run docs:check` only compiles it. Its first
 * TypeScript block is written to scratch/ and imported while this file is collected, so the
 * example's own `test(...)` calls register here; `zizq-edge` resolves to the sources (vitest's alias).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { blocksOf } from "../../../scripts/check-doc-blocks.ts";

const root = new URL("../../../", import.meta.url);
const [example] = blocksOf("docs/testing.md", readFileSync(new URL("docs/testing.md", root), "utf8"));
const dir = new URL("scratch/guide/", root);
mkdirSync(dir, { recursive: true });
const file = new URL("full-example.ts", dir);
writeFileSync(file, [...example!.prelude, ...example!.code].join("\n"));
await import(file.pathname);
