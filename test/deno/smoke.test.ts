/** The smoke walk in Deno: the test server in-process through `server.fetch`, no sockets. */
import assert from "node:assert/strict";
import { smokeWalk } from "../support/smoke-walk.ts";
import { denoWalk } from "./walk.ts";

denoWalk("test server runs the smoke walk in Deno through server.fetch", smokeWalk, assert);
