/**
 * The Worker walk inside workerd, in both wire formats (test/support/worker-walk.ts). The test
 * server runs in the test's own isolate, called through `server.fetch`: take streams cannot
 * cross requests in workerd (see worker.ts).
 */
import { describe, expect, it } from "vitest";
import { WORKER_WALK_STEPS, type WorkerWalkAssert, workerWalk } from "../support/worker-walk.ts";

const assert: WorkerWalkAssert = {
  ok: (value, message) => expect(value, message).toBeTruthy(),
  equal: (actual, expected, message) => expect(actual, message).toBe(expected),
  deepEqual: (actual, expected, message) => expect(actual, message).toEqual(expected),
};

describe("Worker in workerd", () => {
  it.each(["json", "msgpack"] as const)("runs typed jobs, failures, hooks, stops and timeouts in-process (%s)", async (format) => {
    const result = await workerWalk(format, assert);
    expect(result.steps).toEqual([...WORKER_WALK_STEPS]);
    expect(result.drained).toBe(210);
  }, 30_000);
});
