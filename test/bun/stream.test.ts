/** The take-stream decoders in Bun's own web streams (the walk is shared with Deno and workerd). */
import { test } from "bun:test";
import assert from "node:assert/strict";
import { streamWalk } from "../node/stream/walk.ts";

test("take-stream decoders decode every framing and a test-server take in Bun", () => streamWalk(assert));
