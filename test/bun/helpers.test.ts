/** The helpers walk in Bun: the example Worker tested with createTestClient, as docs/testing.md shows for `bun test`. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import assert from "node:assert/strict";
import worker, { router, SendEmail } from "../../examples/worker.ts";
import { createTestClient } from "../../src/testing/index.ts";
import { zizqMatchers } from "../../src/testing/vitest.ts";
import { helpersWalk } from "../support/helpers-walk.ts";
import { registerWalk } from "../support/walk.ts";

registerWalk({ describe, test, beforeAll, afterAll }, "the example Worker under the test helpers, in Bun", helpersWalk({ fetch: worker.fetch, router, SendEmail }), assert);

test("the matchers work under bun:test's expect.extend", async () => {
  expect.extend(zizqMatchers);
  const zizq = createTestClient();
  try {
    await zizq.client.enqueue(SendEmail, { to: "a@example.com", subject: "Hi" });
    expect(zizq).toHaveEnqueued(SendEmail, { to: "a@example.com" });
    expect(zizq).not.toHaveEnqueued(SendEmail, { to: "b@example.com" });
    expect(() => expect(zizq).toHaveEnqueuedTimes(SendEmail, 2)).toThrow(/expected 2 × send_email job to have been enqueued, found 1/);
  } finally {
    zizq.close();
  }
});
