/** The shared test plumbing of test/support: the bounded waits and the walk runner every runtime registers walks with. */
import assert from "node:assert/strict";
import { describe, expect, it } from "vitest";
import { eventually, within } from "../support/wait.ts";
import { registerWalk, type TestApi, type Walk, walkRunner } from "../support/walk.ts";

describe("within", () => {
  it("passes the promise's outcome through", async () => {
    expect(await within(Promise.resolve(7), "seven")).toBe(7);
    await expect(within(Promise.reject(new Error("boom")), "a failure")).rejects.toThrow("boom");
  });

  it("rejects naming what it waited for, read only when the wait fails", async () => {
    let reads = 0;
    const what = () => `the child (output read ${++reads} time)`;
    await expect(within(new Promise(() => {}), what, 10)).rejects.toThrow("gave up after 10 ms waiting for the child (output read 1 time)");
    await within(Promise.resolve(), what, 10);
    expect(reads).toBe(1);
  });
});

describe("eventually", () => {
  it("resolves with the probe's first answer that is not false", async () => {
    let calls = 0;
    expect(await eventually(() => ++calls === 3 && "third", "the third call", 1_000, 1)).toBe("third");
    expect(await eventually(() => undefined, "an assertion that holds")).toBeUndefined();
  });

  it("retries a probe that throws, and names the last error when it gives up", async () => {
    let calls = 0;
    await eventually(() => expect(++calls).toBe(2), "the second call", 1_000, 1);
    await expect(eventually(() => expect(1).toBe(2), "one to be two", 20, 1)).rejects.toThrow(/^gave up after 20 ms waiting for one to be two: AssertionError/);
    await expect(eventually(() => false, "never", 20, 1)).rejects.toThrow("gave up after 20 ms waiting for never");
  });
});

describe("walks", () => {
  const steps = (log: string[]) => [
    { name: "one", run: () => void log.push("one") },
    {
      name: "two",
      run: () => {
        throw new Error("two broke");
      },
    },
    { name: "three", run: () => void log.push("three") },
  ];

  it("after a failed step of a walk with shared state, later steps fail naming it", async () => {
    const log: string[] = [];
    const walk: Walk<{ opened: true }> = { open: () => ({ opened: true }), close: () => void log.push("closed"), steps: steps(log) };
    const run = walkRunner(walk, assert);
    await run.open();
    await run.step(walk.steps[0]!);
    await expect(run.step(walk.steps[1]!)).rejects.toThrow("two broke");
    expect(run.blockedBy()).toBe("two");
    await expect(run.step(walk.steps[2]!)).rejects.toThrow('not run: the earlier step "two" failed');
    await run.close();
    expect(log).toEqual(["one", "closed"]);
  });

  it("steps that stand alone (no shared state) all run", async () => {
    const log: string[] = [];
    const walk: Walk = { steps: steps(log) };
    const run = walkRunner(walk, assert);
    await run.open();
    for (const step of walk.steps) await run.step(step).catch(() => {});
    expect(log).toEqual(["one", "three"]);
  });

  it("registers one test per step, in order, inside one describe with the walk opened before and closed after", () => {
    const calls: string[] = [];
    const api: TestApi = {
      describe: (name, body) => {
        calls.push(`describe ${name}`);
        body();
      },
      test: (name) => void calls.push(`test ${name}`),
      beforeAll: () => void calls.push("beforeAll"),
      afterAll: () => void calls.push("afterAll"),
    };
    registerWalk(api, "a walk", { open: () => 0, steps: steps([]) }, assert);
    expect(calls).toEqual(["describe a walk", "beforeAll", "afterAll", "test one", "test two", "test three"]);
  });
});
