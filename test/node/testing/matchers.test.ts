/** `zizq-edge/testing/vitest`: the matchers under vitest's expect.extend, and under the bare protocol other runners use. */
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { defineJob } from "../../../src/index.ts";
import { createTestClient } from "../../../src/testing/index.ts";
import { zizqMatchers } from "../../../src/testing/vitest.ts";

expect.extend(zizqMatchers);

const SendEmail = defineJob<{ to: string; subject: string }>({ type: "send_email", queue: "emails" });
const Unsubscribe = defineJob<{ to: string }>({ type: "unsubscribe", queue: "emails" });
const zizq = createTestClient();
beforeEach(() => zizq.reset());
afterAll(() => zizq.close());

/** The message a failing assertion throws. */
function failure(assert: () => void): string {
  try {
    assert();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("the assertion passed");
}

describe("under vitest", () => {
  it("pass on a test client or its server, with a partial payload, times, and .not", async () => {
    await zizq.client.enqueue(SendEmail, { to: "a@example.com", subject: "Hi" });
    await zizq.client.enqueue(SendEmail, { to: "b@example.com", subject: "Hi" });
    expect(zizq).toHaveEnqueued(SendEmail);
    expect(zizq.server).toHaveEnqueued(SendEmail, { to: "a@example.com" });
    expect(zizq).toHaveEnqueuedTimes(SendEmail, 2, { subject: "Hi" });
    expect(zizq).toHaveEnqueuedTimes(SendEmail, 0, { subject: "Bye" });
    expect(zizq).not.toHaveEnqueued(Unsubscribe);
    expect(zizq).not.toHaveEnqueuedTimes(SendEmail, 1);
  });

  it("fail with what was enqueued and a diff against the closest payload", async () => {
    await zizq.client.enqueue(SendEmail, { to: "b@example.com", subject: "Hi" });
    await zizq.client.enqueue(SendEmail, { to: "a@example.com", subject: "Welcome" });
    await zizq.client.enqueue(Unsubscribe, { to: "c@example.com" });

    const message = failure(() => expect(zizq).toHaveEnqueued(SendEmail, { to: "a@example.com", subject: "Hi" }));
    expect(message).toContain('expected a send_email job with a payload matching {"to":"a@example.com","subject":"Hi"} to have been enqueued, found none');
    expect(message).toContain("send_email jobs enqueued since the last reset (2):");
    expect(message).toContain("Other jobs enqueued: unsubscribe × 1");
    // The closest payload is a tie (one field each); the first wins, and the diff shows the field that differs.
    expect(message).toMatch(/The closest send_email payload \(extra keys are fine\):\n[\s\S]*"to": "a@example.com"[\s\S]*"to": "b@example.com"/);

    expect(failure(() => expect(zizq).not.toHaveEnqueued(Unsubscribe))).toMatch(/expected no unsubscribe job to have been enqueued, found 1\nunsubscribe jobs enqueued since the last reset \(1\):\n {2}- \{"to":"c@example.com"\}/);
    expect(failure(() => expect(zizq).toHaveEnqueuedTimes(SendEmail, 3))).toContain("expected 3 × send_email job to have been enqueued, found 2");
    expect(failure(() => expect(zizq).not.toHaveEnqueuedTimes(SendEmail, 2))).toContain("expected not 2 × send_email job to have been enqueued, found 2");
    expect(() => expect(zizq).toHaveEnqueuedTimes(SendEmail, -1)).toThrow(/times: expected an integer ≥ 0/);
    expect(() => expect({}).toHaveEnqueued(SendEmail)).toThrow(/server: expected a test client or a server from createTestServer/);
  });

  it("take vitest's asymmetric matchers where a value goes, and name them in failures", async () => {
    await zizq.client.enqueue(SendEmail, { to: "a@example.com", subject: "Hi" });
    expect(zizq).toHaveEnqueued(SendEmail, { to: expect.stringMatching(/@example\.com$/) });
    expect(zizq).toHaveEnqueuedTimes(SendEmail, 1, { to: expect.any(String), subject: "Hi" });
    expect(zizq).not.toHaveEnqueued(SendEmail, { to: expect.stringContaining("@elsewhere") });
    expect(failure(() => expect(zizq).toHaveEnqueued(SendEmail, { to: expect.stringContaining("@elsewhere") }))).toContain(
      'expected a send_email job with a payload matching {"to":"StringContaining \\"@elsewhere\\""} to have been enqueued, found none',
    );
  });

  it("type the payload from the definition", () => {
    // Compiled, not run.
    const typesOnly = () => {
      // @ts-expect-error: no such payload field
      expect(zizq).toHaveEnqueued(SendEmail, { from: "x" });
      // @ts-expect-error: a field of the wrong type
      expect(zizq).toHaveEnqueuedTimes(Unsubscribe, 1, { to: 1 });
    };
    expect(typesOnly).toBeTypeOf("function");
  });
});

describe("under the bare expect.extend protocol (jest, bun test)", () => {
  it("answer { pass, message } with no utils given", async () => {
    await zizq.client.enqueue(SendEmail, { to: "a@example.com", subject: "Hi" });
    const found = zizqMatchers.toHaveEnqueued.call({}, zizq, SendEmail, { to: "a@example.com" });
    expect(found.pass).toBe(true);
    const missing = zizqMatchers.toHaveEnqueuedTimes.call({ isNot: false }, zizq, SendEmail, 2);
    expect(missing.pass).toBe(false);
    expect(missing.message().split("\n\n")).toEqual([
      "toHaveEnqueuedTimes",
      expect.stringMatching(/^expected 2 × send_email job to have been enqueued, found 1\nsend_email jobs enqueued since the last reset \(1\):\n {2}- /),
    ]);
  });
});
