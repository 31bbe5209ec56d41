/** The smoke walk in Deno: the test server in-process through `server.fetch`, no sockets. */
import assert from "node:assert/strict";
import { smokeTestServer } from "../support/smoke-walk.ts";

Deno.test("test server runs the smoke walk in Deno through server.fetch", () => smokeTestServer(assert));
