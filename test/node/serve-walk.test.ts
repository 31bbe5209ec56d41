import assert from "node:assert/strict";
import { afterAll, beforeAll, describe, test } from "vitest";
import { serve } from "../../adapters/node.ts";
import { serveWalk } from "../support/serve-walk.ts";
import { registerWalk } from "../support/walk.ts";

registerWalk({ describe, test, beforeAll, afterAll }, "adapters/node serve: the same socket walk the Bun and Deno adapters pass", serveWalk(serve), assert);
