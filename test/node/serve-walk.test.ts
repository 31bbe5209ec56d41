import assert from "node:assert/strict";
import { it } from "vitest";
import { serve } from "../../adapters/node.ts";
import { serveWalk } from "../support/serve-walk.ts";

it("adapters/node serve: the same socket walk the Bun and Deno adapters pass", async () => {
  await serveWalk(serve, assert);
});
