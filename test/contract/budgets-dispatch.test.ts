// zizq-protocol-0.7.md §13 facts 230–242: dispatch under budgets (§8). Drip timing runs on the
// test server's injected clock (`onClock`), so those facts skip under ZIZQ_URL; the rest use
// budgets that never refill while a test runs.
import { describe, expect, it, vi } from "vitest";
import { createBudget, HOURLY, on, onClock, pro, timeBased, whileInFlight } from "./budget-helpers.ts";
import { eventually } from "../support/wait.ts";
import type { TakeStream, Target } from "./harness.ts";

const ack = async (t: Target, id: string) => expect((await t.post(`/jobs/${id}/success`)).status).toBe(204);
const statusOf = async (t: Target, id: string) => (await t.get(`/jobs/${id}`)).body.status;
const LATER = () => Date.now() + 3_600_000;

/** An hourly budget whose one token job A spent (A is acked): job B is parked behind it. */
async function spentHourly(t: Target): Promise<{ parked: any; stream: TakeStream }> {
  await createBudget(t, "k", HOURLY);
  const a = await t.enqueue(on("k"));
  const parked = await t.enqueue(on("k"));
  const stream = await t.stream("?prefetch=0");
  expect((await stream.nextJob()).id).toBe(a.id);
  await ack(t, a.id);
  await stream.expectNoJob();
  return { parked, stream };
}

describe("while_in_flight", () => {
  it("fact 230: a budget of 1 holds the second job until the first is acked, failed, deleted or dropped", async (ctx) => {
    type Release = (t: Target, holder: TakeStream, id: string) => Promise<void>;
    const releases: [string, Release][] = [
      ["ack", (t, _s, id) => ack(t, id)],
      ["failure", async (t, _s, id) => expect((await t.post(`/jobs/${id}/failure`, { message: "x", retry_at: LATER() })).status).toBe(200)],
      ["delete", async (t, _s, id) => expect((await t.del(`/jobs/${id}`)).status).toBe(204)],
      ["disconnect", async (_t, holder) => holder.close()],
    ];
    for (const [how, release] of releases) {
      const t = await pro(ctx);
      await createBudget(t, "mutex", whileInFlight(1));
      const a = await t.enqueue(on("mutex"));
      const b = await t.enqueue(on("mutex"));
      const holder = await t.stream("?prefetch=0");
      expect((await holder.nextJob()).id, how).toBe(a.id);
      await holder.expectNoJob();
      expect(await statusOf(t, b.id), how).toBe("ready");
      // Only a dropped holder needs a second stream; otherwise the holder is the idle stream.
      const waiting = how === "disconnect" ? await t.stream("?prefetch=0") : holder;
      await release(t, holder, a.id);
      // A dropped stream puts A back at the head of the budget's queue, so A goes again.
      expect((await waiting.nextJob(5000)).id, how).toBe(how === "disconnect" ? a.id : b.id);
      await waiting.expectNoJob();
      // The next round resets the same server under ZIZQ_URL: these streams must not take its jobs.
      holder.close();
      waiting.close();
    }
  });

  it("fact 231: after A fails with a retry B runs; A, ready again, waits for B's slot", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "mutex", whileInFlight(1));
    const a = await t.enqueue(on("mutex"));
    const b = await t.enqueue(on("mutex"));
    const s = await t.stream("?prefetch=0");
    expect((await s.nextJob()).id).toBe(a.id);
    const failed = await t.post(`/jobs/${a.id}/failure`, { message: "x", retry_at: LATER() });
    expect(failed.body.status).toBe("scheduled");
    expect((await s.nextJob()).id).toBe(b.id);
    // Bring the retry forward instead of waiting for it.
    expect((await t.patch(`/jobs/${a.id}`, { ready_at: null })).body.status).toBe("ready");
    await s.expectNoJob();
    expect(await statusOf(t, a.id)).toBe("ready");
    await ack(t, b.id);
    expect((await s.nextJob()).id).toBe(a.id);
  });

  it("fact 236: within a budget an unaffordable head holds back a cheaper job behind it", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", whileInFlight(10));
    const holder = await t.enqueue(on({ key: "k", cost: 5 }));
    const s = await t.stream("?prefetch=0");
    expect((await s.nextJob()).id).toBe(holder.id);
    const head = await t.enqueue({ ...on({ key: "k", cost: 6 }), priority: 0 });
    const cheap = await t.enqueue({ ...on({ key: "k", cost: 1 }), priority: 9 });
    await s.expectNoJob();
    expect(await statusOf(t, cheap.id)).toBe("ready");
    await ack(t, holder.id);
    expect((await s.jobs(2)).map((j) => j.id)).toEqual([head.id, cheap.id]);
  });

  it("fact 237: a job on two budgets runs only when both can pay, and holds neither while it waits", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "x", whileInFlight(1));
    await createBudget(t, "y", whileInFlight(1));
    const onY = await t.enqueue(on("y"));
    const s = await t.stream("?prefetch=0");
    expect((await s.nextJob()).id).toBe(onY.id);
    const both = await t.enqueue({ ...on("x", "y"), priority: 10 });
    await s.expectNoJob();
    // x is free although `both` waits on it: a job on x alone goes at once.
    const onX = await t.enqueue({ ...on("x"), priority: 0 });
    expect((await s.nextJob()).id).toBe(onX.id);
    await ack(t, onY.id);
    await s.expectNoJob();
    await ack(t, onX.id);
    expect((await s.nextJob()).id).toBe(both.id);
  });

  it("fact 240: raising a while_in_flight allocation by PATCH or PUT wakes parked jobs at once", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", whileInFlight(1));
    const [a, b, c] = [await t.enqueue(on("k")), await t.enqueue(on("k")), await t.enqueue(on("k"))];
    const s = await t.stream("?prefetch=0");
    expect((await s.nextJob()).id).toBe(a.id);
    await s.expectNoJob();
    expect((await t.patch("/budgets/k", { allocation: 2 })).status).toBe(200);
    expect((await s.nextJob()).id).toBe(b.id);
    await s.expectNoJob();
    expect((await t.put("/budgets/k", whileInFlight(3))).status).toBe(200);
    expect((await s.nextJob()).id).toBe(c.id);
  });

  it("fact 241: cutting an allocation from 6 to 1 with 6 in flight dispatches nothing until all 6 are done", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", whileInFlight(6));
    for (let i = 0; i < 7; i++) await t.enqueue(on("k"));
    const s = await t.stream("?prefetch=0");
    const running = await s.jobs(6);
    await s.expectNoJob();
    expect((await t.patch("/budgets/k", { allocation: 1 })).status).toBe(200);
    for (const job of running.slice(0, 5)) {
      await ack(t, job.id);
      await s.expectNoJob();
    }
    await ack(t, running[5].id);
    expect((await s.nextJob()).status).toBe("in_flight");
  });
});

describe("time_based", () => {
  it("fact 232: 2 per 60 s without burst: 2 jobs at once, the 3rd 30 s after", async (ctx) => {
    const { t, advance } = await onClock(ctx);
    await createBudget(t, "k", timeBased(2, 60_000));
    const ids = [(await t.enqueue(on("k"))).id, (await t.enqueue(on("k"))).id, (await t.enqueue(on("k"))).id];
    const s = await t.stream("?prefetch=0");
    expect((await s.jobs(2)).map((j) => j.id)).toEqual(ids.slice(0, 2));
    await s.expectNoJob();
    advance(29_999);
    await s.expectNoJob();
    expect(await statusOf(t, ids[2]!)).toBe("ready");
    advance(1);
    expect((await s.nextJob()).id).toBe(ids[2]);
  });

  it("fact 233: burst 1 at 60 per 60 s paces dispatches 1 s apart from the start", async (ctx) => {
    const { t, advance } = await onClock(ctx);
    await createBudget(t, "k", timeBased(60, 60_000, 1));
    const ids = [(await t.enqueue(on("k"))).id, (await t.enqueue(on("k"))).id, (await t.enqueue(on("k"))).id];
    const s = await t.stream("?prefetch=0");
    expect((await s.nextJob()).id).toBe(ids[0]);
    for (const id of ids.slice(1)) {
      await s.expectNoJob();
      advance(999);
      await s.expectNoJob();
      advance(1);
      expect((await s.nextJob()).id).toBe(id);
    }
  });

  it("fact 234: time_based tokens are not returned by an ack, nor by a dropped stream", async (ctx) => {
    const acked = await pro(ctx);
    const { parked, stream } = await spentHourly(acked);
    expect(await statusOf(acked, parked.id)).toBe("ready");
    stream.close();

    const dropped = await pro(ctx);
    await createBudget(dropped, "k", HOURLY);
    const c = await dropped.enqueue(on("k"));
    const first = await dropped.stream("?prefetch=0");
    expect((await first.nextJob()).id).toBe(c.id);
    const second = await dropped.stream("?prefetch=0");
    first.close();
    await eventually(async () => expect(await statusOf(dropped, c.id)).toBe("ready"), "the dropped job ready again");
    await second.expectNoJob();
    expect(await statusOf(dropped, c.id)).toBe("ready");
  });

  it("fact 242: after a restart every time_based bucket is full again", async (ctx) => {
    const t = await pro(ctx);
    if (t.remote) ctx.skip("needs a server restart, which a test cannot do to ZIZQ_URL");
    const { parked, stream: before } = await spentHourly(t);
    // The dropped stream is served by @hono/node-server, which reports the cut to console.error.
    const reported = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      t.server!.restart();
      await eventually(async () => expect(before.ended).toBe(true), "the stream before the restart ended");
      await eventually(async () => expect(reported).toHaveBeenCalledOnce(), "the dropped connection reported");
      expect(String(reported.mock.calls[0]?.[0])).toContain("zizq test server: connection dropped");
    } finally {
      reported.mockRestore();
    }
    const after = await t.stream("?prefetch=0");
    expect((await after.nextJob()).id).toBe(parked.id);
  });
});

describe("budgets and the rest of the queue", () => {
  it("fact 235: a parked job does not block an unthrottled job of lower priority", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", HOURLY);
    const spender = await t.enqueue({ ...on("k"), queue: "h" });
    expect((await t.claim(1, "&queue=h")).map((j) => j.id)).toEqual([spender.id]);
    const parked = await t.enqueue({ ...on("k"), priority: 0 });
    const free = await t.enqueue({ priority: 10 });
    const s = await t.stream("?prefetch=0&queue=q");
    expect((await s.nextJob()).id).toBe(free.id);
    await s.expectNoJob();
    expect(await statusOf(t, parked.id)).toBe("ready");
  });

  it("fact 238: take frames of budgeted jobs carry budgets, last", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", whileInFlight(5));
    await t.enqueue(on({ key: "k", cost: 2 }));
    await t.enqueue(on("k"));
    const [ndjson] = await (await t.stream("?prefetch=1")).jobs(1);
    expect(ndjson.budgets).toEqual([{ key: "k", cost: 2 }]);
    expect(Object.keys(ndjson).at(-1)).toBe("budgets");
    const msgpack = await (await t.stream("?prefetch=1", { accept: "application/vnd.zizq.msgpack-stream" })).nextJob();
    expect(msgpack.budgets).toEqual([{ key: "k", cost: 1 }]);
    expect(Object.keys(msgpack).at(-1)).toBe("budgets");
  });

  it("fact 239: unbinding every budget of a parked job dispatches it at once", async (ctx) => {
    const t = await pro(ctx);
    await createBudget(t, "k", HOURLY);
    await t.enqueue(on("k"));
    await t.claim();
    const parked = await t.enqueue(on("k"));
    const s = await t.stream("?prefetch=0");
    await s.expectNoJob();
    expect((await t.del(`/jobs/${parked.id}/budgets`)).status).toBe(200);
    const taken = await s.nextJob();
    expect(taken.id).toBe(parked.id);
    expect(taken).not.toHaveProperty("budgets");
  });
});
