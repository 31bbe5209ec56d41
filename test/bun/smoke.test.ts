/** The smoke walk in Bun: the test server in-process through `server.fetch`, no sockets. */
import { test } from "bun:test";
import assert from "node:assert/strict";
import { smokeTestServer } from "../support/smoke-walk.ts";

test("test server runs the smoke walk in Bun through server.fetch", () => smokeTestServer(assert));
