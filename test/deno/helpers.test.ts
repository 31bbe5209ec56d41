/**
 * The helpers walk in Deno. Deno type-checks what it runs and cannot check a Worker module
 * (examples/worker.ts needs workerd's types), so it walks the stand-in with the example's routes.
 */
import assert from "node:assert/strict";
import { emailApp } from "../support/email-app.ts";
import { helpersWalk } from "../support/helpers-walk.ts";
import { denoWalk } from "./walk.ts";

denoWalk("an email producer under the test helpers, in Deno", helpersWalk(emailApp), assert);
