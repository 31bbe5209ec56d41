/** healthHandler served by adapters/deno's serve (test/support/health-walk.ts). */
import assert from "node:assert/strict";
import { serve } from "../../adapters/deno.ts";
import { healthWalk } from "../support/health-walk.ts";
import { denoWalk } from "./walk.ts";

denoWalk("adapters/deno serve: the health probes of a running worker", healthWalk(serve), assert);
