/**
 * scripts/check-doc-blocks.ts (`npm run docs:check`): which Markdown code it compiles, with which
 * hidden prelude, how tsc's lines are traced back to the Markdown, and which links it finds dead.
 * The whole check runs in CI against the built package; this covers the parsing it relies on.
 */
import { describe, expect, test } from "vitest";
import { anchorsOf, blocksOf, brokenLinks, inDocs } from "../../scripts/check-doc-blocks.ts";

const doc = [
  "# Guide", //                                   1
  "", //                                          2
  "```ts", //                                     3
  'import { Client } from "zizq-edge";', //       4
  "```", //                                       5
  "", //                                          6
  "<!-- prelude", //                              7
  "declare const client: unknown;", //            8
  "-->", //                                       9
  "```ts", //                                     10
  "console.log(client);", //                      11
  "```", //                                       12
  "```sh", //                                     13
  "npm test", //                                  14
  "```", //                                       15
  "1. a step:", //                                16
  "", //                                          17
  "   ```typescript", //                          18
  "   const x: number = 1;", //                   19
  "   ```", //                                    20
].join("\n");

describe("blocksOf", () => {
  test("takes ts and typescript blocks, not others, with their first line and without list indentation", () => {
    const blocks = blocksOf("docs/guide.md", doc);
    expect(blocks.map((b) => [b.line, b.code])).toEqual([
      [4, ['import { Client } from "zizq-edge";']],
      [11, ["console.log(client);"]],
      [19, ["const x: number = 1;"]],
    ]);
  });

  test("a prelude belongs to the block right below it only", () => {
    expect(blocksOf("docs/guide.md", doc).map((b) => b.prelude)).toEqual([[], ["declare const client: unknown;"], []]);
  });

  test("a prelude separated from the block by text does not apply", () => {
    const blocks = blocksOf("x.md", ["<!-- prelude", "const a = 1;", "-->", "Some text.", "```ts", "a;", "```"].join("\n"));
    expect(blocks[0]!.prelude).toEqual([]);
  });

  test("an unclosed block or prelude is an error naming the file and line", () => {
    expect(() => blocksOf("x.md", "text\n```ts\nconst a = 1;\n")).toThrow("x.md:2: unclosed code block");
    expect(() => blocksOf("x.md", "<!-- prelude\nconst a = 1;\n")).toThrow("x.md:1: unclosed <!-- prelude");
  });
});

describe("inDocs", () => {
  const blocks = blocksOf("docs/guide.md", doc);

  test("a line of a block is reported at its Markdown line and column", () => {
    expect(inDocs("node_modules/.cache/doc-blocks/block-0.ts(1,10): error TS2305: no export", blocks)).toBe(
      "docs/guide.md:4:10 error TS2305: no export",
    );
    // The prelude's line comes first in the compiled file and is not counted.
    expect(inDocs("block-1.ts(2,13): error TS2304: Cannot find name 'client'.", blocks)).toBe(
      "docs/guide.md:11:13 error TS2304: Cannot find name 'client'.",
    );
  });

  test("a line of a prelude names the block it belongs to", () => {
    expect(inDocs("block-1.ts(1,1): error TS1000: bad", blocks)).toBe("docs/guide.md: the prelude of the block at line 11 error TS1000: bad");
  });

  test("other lines pass through", () => {
    expect(inDocs("  Type 'number' is not assignable to type 'string'.", blocks)).toBe("  Type 'number' is not assignable to type 'string'.");
  });
});

describe("links", () => {
  const files: Record<string, string> = {
    "README.md": "# zizq-edge\n\n## Install\n\nSee [the guide](docs/guide.md#cloudflare-workers-zizq-edgecloudflare).\n",
    "docs/guide.md": [
      "# Guide",
      "## Cloudflare Workers: `zizq-edge/cloudflare`",
      "## Options",
      "## Options",
      "```sh",
      "# not a heading",
      "```",
    ].join("\n"),
  };
  const read = (path: string) => files[path];

  test("anchors follow GitHub's headings, outside code, repeats numbered", () => {
    expect([...anchorsOf(files["docs/guide.md"]!)]).toEqual(["guide", "cloudflare-workers-zizq-edgecloudflare", "options", "options-1"]);
  });

  test("a link to an existing file and heading, or to the web, is fine", () => {
    expect(brokenLinks("README.md", files["README.md"]!, read)).toEqual([]);
    expect(brokenLinks("docs/guide.md", "[up](../README.md#install) [web](https://zizq.dev/x#y) [here](#options-1)", read)).toEqual([]);
  });

  test("a missing file or heading is reported with the line, links inside code are not", () => {
    const text = ["[a](missing.md)", "[b](../README.md#nope)", "```md", "[c](ignored.md)", "```"].join("\n");
    expect(brokenLinks("docs/guide.md", text, read)).toEqual([
      "docs/guide.md:1: missing.md links to a missing file",
      "docs/guide.md:2: ../README.md#nope links to a missing heading",
    ]);
  });
});
