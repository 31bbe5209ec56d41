/** The Worker walk in Deno, in both wire formats, against the in-process test server (test/support/worker-walk.ts). */
import assert from "node:assert/strict";
import { workerWalk } from "../support/worker-walk.ts";
import { denoWalk } from "./walk.ts";

for (const format of ["json", "msgpack"] as const) denoWalk(`Worker walk in Deno (${format})`, workerWalk(format), assert);
