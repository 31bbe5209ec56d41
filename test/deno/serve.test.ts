import assert from "node:assert/strict";
import { serve } from "../../adapters/deno.ts";
import { serveWalk } from "../support/serve-walk.ts";
import { denoWalk } from "./walk.ts";

denoWalk("adapters/deno serve: the test server over a real socket, disconnect requeue, close()", serveWalk(serve), assert);
