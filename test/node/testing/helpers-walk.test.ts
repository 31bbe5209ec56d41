/**
 * The helpers walk (test/support/helpers-walk.ts) in Node, over the example Worker itself. The
 * root type check cannot load a Worker module (it needs workerd's types), so it is imported by a
 * path tsc does not follow and typed by what the walk needs of it.
 */
import assert from "node:assert/strict";
import { afterAll, beforeAll, describe, test } from "vitest";
import { type EmailApp, helpersWalk } from "../../support/helpers-walk.ts";
import { registerWalk } from "../../support/walk.ts";

const path = new URL("../../../examples/worker.ts", import.meta.url).pathname;
const example = (await import(path)) as { default: Pick<EmailApp, "fetch"> } & Omit<EmailApp, "fetch">;
const app: EmailApp = { fetch: example.default.fetch, router: example.router, SendEmail: example.SendEmail };

registerWalk({ describe, test, beforeAll, afterAll }, "the example Worker under the test helpers, in Node", helpersWalk(app), assert);
