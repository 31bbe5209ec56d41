/** The take-stream decoders in Bun's own web streams (the walk is shared with Deno and workerd). */
import { afterAll, beforeAll, describe, test } from "bun:test";
import assert from "node:assert/strict";
import { streamWalk } from "../support/stream-walk.ts";
import { registerWalk } from "../support/walk.ts";

registerWalk({ describe, test, beforeAll, afterAll }, "take-stream decoders in Bun", streamWalk, assert);
