/** healthHandler served by adapters/bun's serve (test/support/health-walk.ts). */
import { afterAll, beforeAll, describe, test } from "bun:test";
import assert from "node:assert/strict";
import { serve } from "../../adapters/bun.ts";
import { healthWalk } from "../support/health-walk.ts";
import { registerWalk } from "../support/walk.ts";

registerWalk({ describe, test, beforeAll, afterAll }, "adapters/bun serve: the health probes of a running worker", healthWalk(serve), assert);
