/** The take-stream decoders inside workerd (the walk is shared with Bun and Deno). */
import { afterAll, beforeAll, describe, test } from "vitest";
import { streamWalk } from "../support/stream-walk.ts";
import { vitestAssert } from "../support/vitest-assert.ts";
import { registerWalk } from "../support/walk.ts";

registerWalk({ describe, test, beforeAll, afterAll }, "take-stream decoders in workerd", streamWalk, vitestAssert);
