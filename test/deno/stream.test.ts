/** The take-stream decoders in Deno's own web streams (the walk is shared with Bun and workerd). */
import assert from "node:assert/strict";
import { streamWalk } from "../node/stream/walk.ts";

Deno.test("take-stream decoders decode every framing and a test-server take in Deno", () => streamWalk(assert));
