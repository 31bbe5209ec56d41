import { afterAll, beforeAll, describe, test } from "bun:test";
import assert from "node:assert/strict";
import { serve } from "../../adapters/bun.ts";
import { serveWalk } from "../support/serve-walk.ts";
import { registerWalk } from "../support/walk.ts";

registerWalk({ describe, test, beforeAll, afterAll }, "adapters/bun serve: the test server over a real socket, disconnect requeue, close()", serveWalk(serve), assert);
