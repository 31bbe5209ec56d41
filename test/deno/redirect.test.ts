/** Deno's fetch with `redirect: "manual"` hands back the 3xx: the Client refuses it and follows nothing. */
import assert from "node:assert/strict";
import { serve } from "../../adapters/deno.ts";
import { redirectWalk } from "../support/redirect-walk.ts";
import { denoWalk } from "./walk.ts";

denoWalk("redirects in Deno", redirectWalk(serve), assert);
