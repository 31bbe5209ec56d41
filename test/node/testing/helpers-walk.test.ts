/**
 * The helpers walk (test/support/helpers-walk.ts) in Node, over the stand-in for the example
 * Worker (the root type check cannot load a Worker module; workerd and Bun walk the Worker itself).
 */
import assert from "node:assert/strict";
import { afterAll, beforeAll, describe, test } from "vitest";
import { emailApp } from "../../support/email-app.ts";
import { helpersWalk } from "../../support/helpers-walk.ts";
import { registerWalk } from "../../support/walk.ts";

registerWalk({ describe, test, beforeAll, afterAll }, "an email producer under the test helpers, in Node", helpersWalk(emailApp), assert);
