/**
 * A take frame that parses but is not a job (a field of the wrong type) is a bad frame like any
 * other: the Worker kills that job, naming the field, and the stream goes on. Before the reply
 * checks such a frame ran as a job with a string priority.
 */
import { afterEach, describe, expect, it } from "vitest";
import { defineJob } from "../../../src/index.ts";
import { Router } from "../../../src/processing/router.ts";
import { Worker } from "../../../src/worker/worker.ts";
import { eventually, within } from "../../support/wait.ts";
import { client, collectingLogger, rewritingTakeFront, type Served, serveTestServer } from "./harness.ts";

const Work = defineJob<{ n: number }>({ type: "work", queue: "shapes" });

let served: Served | undefined;
let worker: Worker | undefined;
afterEach(async () => {
  await worker?.stop({ immediate: true });
  await served?.close();
});

describe("take frames are checked", () => {
  it("a frame with a wrongly typed field: that job is killed as ZizqFrameError naming the field, the others run", async () => {
    let target = "";
    served = await serveTestServer(
      {},
      rewritingTakeFront((line) => (target !== "" && line.includes(`"id":"${target}"`) ? line.replace(/"priority":\d+/, '"priority":"high"') : line)),
    );
    const admin = served.admin;
    const before = (await admin.enqueueBulk([Work.with({ n: 1 }), Work.with({ n: 2 })])).map((job) => job.id);
    target = (await admin.enqueue(Work, { n: 3 })).id;
    const after = (await admin.enqueue(Work, { n: 4 })).id;
    const ran: string[] = [];
    const logger = collectingLogger();
    worker = new Worker({ client: client(served.url), router: new Router().route(Work, (_payload, ctx) => void ran.push(ctx.job.id)), prefetch: 8, logger });
    const running = worker.run();

    await eventually(async () => (await admin.jobs({ status: "dead" }).count()) === 1, "the bad frame's job to be killed", 10_000, 20);
    await eventually(async () => (await admin.jobs({ status: "completed" }).count()) === 3, "the other jobs to complete", 10_000, 20);
    const [record] = await admin.errors(target).toArray();
    expect(record).toMatchObject({ attempt: 1, errorType: "ZizqFrameError" });
    expect(record?.message).toBe(`GET /jobs/take?prefetch=8: a frame is not a job: expected a job object with a number "priority", got "high"`);
    expect(ran.sort()).toEqual([...before, after].sort());
    expect(worker.stats()).toMatchObject({ state: "running", badFrames: 1, connections: 1 });
    expect(logger.messages).toContainEqual({
      level: "error",
      message: `killing job ${target}: its take-stream frame could not be decoded`,
      details: { error: expect.objectContaining({ reason: "malformed", jobId: target }), jobId: target },
    });
    await within(worker.stop(), "stop()", 10_000);
    await running;
  });
});
