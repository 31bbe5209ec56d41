/** The smoke walk in Bun: the test server in-process through `server.fetch`, no sockets. */
import { afterAll, beforeAll, describe, test } from "bun:test";
import assert from "node:assert/strict";
import { smokeWalk } from "../support/smoke-walk.ts";
import { registerWalk } from "../support/walk.ts";

registerWalk({ describe, test, beforeAll, afterAll }, "test server runs the smoke walk in Bun through server.fetch", smokeWalk, assert);
