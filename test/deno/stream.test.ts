/** The take-stream decoders in Deno's own web streams (the walk is shared with Bun and workerd). */
import assert from "node:assert/strict";
import { streamWalk } from "../support/stream-walk.ts";
import { denoWalk } from "./walk.ts";

denoWalk("take-stream decoders in Deno", streamWalk, assert);
