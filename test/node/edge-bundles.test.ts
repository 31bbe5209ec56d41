/**
 * `npm run bundles`: the example Worker (wrangler's dry-run deploy) and the producers (rolldown,
 * browser and workerd conditions) build without Node; the checks that say so catch Node when it
 * is there. About 2 s: wrangler's bundle takes most of it.
 */
import { describe, expect, it } from "vitest";
import { checkCode, edgeBundles, rolldownBuild } from "../../scripts/edge-bundles.ts";

describe("edge bundles", () => {
  it("build the example Worker and the producers with no node: import, polyfill or global", async () => {
    const reports = await edgeBundles();
    expect(reports.map((report) => report.name)).toEqual(["example Worker", "producer", "Workers producer"]);
    for (const report of reports) {
      expect(report.loaded.gz, report.name).toBeGreaterThan(1_000);
      expect(report.loaded.gz, report.name).toBeLessThanOrEqual(report.all.gz);
    }
    // The producer stays within the budget of `npm run size`; clientFromEnv adds a few hundred bytes.
    const [, producer, workers] = reports;
    expect(producer!.loaded.gz).toBeLessThanOrEqual(10_000);
    expect(workers!.loaded.gz - producer!.loaded.gz).toBeLessThan(500);
  }, 60_000);

  it("refuse code that imports Node built-ins, carries a polyfill or uses Node globals", () => {
    expect(() => checkCode("x", 'import{readFile as a}from"node:fs";a()')).toThrow(/Node built-in/);
    expect(() => checkCode("x", 'const c=await import("node:crypto")')).toThrow(/Node built-in/);
    expect(() => checkCode("x", "// node_modules/unenv/dist/runtime/node/buffer.mjs")).toThrow(/polyfill/);
    expect(() => checkCode("x", "const u=process.env.ZIZQ_URL")).toThrow(/Node global/);
    expect(() => checkCode("x", "const b=Buffer.from(s)")).toThrow(/Node global/);
    expect(() => checkCode("x", "job.process(x);a.Buffer=1")).not.toThrow();
  });

  it("refuse a bundle whose modules import node: or a Node shim", async () => {
    const id = "\0entry";
    const build = (code: string) =>
      rolldownBuild("x", "", id, ["browser", "import", "default"], [
        { name: "entry", resolveId: (source: string) => (source === id ? id : null), load: (source: string) => (source === id ? code : null) },
      ]);
    await expect(build('import { readFileSync } from "node:fs"; export const x = readFileSync;')).rejects.toThrow(/node:fs/);
    await expect(build('import { Buffer } from "buffer"; export const x = Buffer.from("a");')).rejects.toThrow(/buffer/);
  });
});
