/** Bun's fetch with `redirect: "manual"` hands back the 3xx: the Client refuses it and follows nothing. */
import { afterAll, beforeAll, describe, test } from "bun:test";
import assert from "node:assert/strict";
import { serve } from "../../adapters/bun.ts";
import { redirectWalk } from "../support/redirect-walk.ts";
import { registerWalk } from "../support/walk.ts";

registerWalk({ describe, test, beforeAll, afterAll }, "redirects in Bun", redirectWalk(serve), assert);
