/** The Client walk in Deno, in both wire formats, against the in-process test server. */
import assert from "node:assert/strict";
import { clientWalk } from "../support/client-walk.ts";
import { denoWalk } from "./walk.ts";

for (const format of ["json", "msgpack"] as const) denoWalk(`Client walk in Deno (${format})`, clientWalk(format), assert);
