/** delay and readyAt, with the same injected clock in the Client and the server. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defineJob, ZizqArgumentError } from "../../../src/index.ts";
import { FORMATS, rejection, requestBody, type Setup, setup } from "./harness.ts";

const T = Date.UTC(2030, 5, 1, 12, 0, 0);
const Mail = defineJob<{ to: string }>({ type: "mail", queue: "mail" });

describe.each(FORMATS)("delay and readyAt (%s)", (format) => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup({ format, server: { now: () => T }, client: { now: () => T } });
  });
  afterEach(async () => {
    await s.close();
  });

  it('delay: "5m" sets readyAt to now + 300000 and the job is scheduled', async () => {
    const job = await s.client.enqueue(Mail, { to: "a" }, { delay: "5m" });
    expect(job).toMatchObject({ readyAt: T + 300_000, status: "scheduled" });
    expect(requestBody(s.calls[0]!)).toMatchObject({ ready_at: T + 300_000 });
    expect((await s.client.getJob(job.id)).readyAt).toBe(T + 300_000);
  });

  it.each([
    [1_500, 1_500],
    ["500ms", 500],
    ["30s", 30_000],
    ["2h", 7_200_000],
    ["1d", 86_400_000],
    ["1.5m", 90_000],
  ] as const)("delay %s is %i ms", async (delay, ms) => {
    const job = await s.client.enqueue(Mail, { to: "a" }, { delay });
    expect(job.readyAt).toBe(T + ms);
  });

  it("readyAt takes a Date or ms; a past readyAt is kept and the job is ready", async () => {
    const at = new Date(T + 42_000);
    expect(await s.client.enqueue(Mail, { to: "a" }, { readyAt: at })).toMatchObject({ readyAt: T + 42_000, status: "scheduled" });
    expect(await s.client.enqueue(Mail, { to: "b" }, { readyAt: T + 7 })).toMatchObject({ readyAt: T + 7, status: "scheduled" });
    expect(await s.client.enqueue(Mail, { to: "c" }, { readyAt: new Date(T - 1_000) })).toMatchObject({ readyAt: T - 1_000, status: "ready" });
    const plain = await s.client.enqueue(Mail, { to: "d" });
    expect(plain).toMatchObject({ readyAt: T, status: "ready" });
    expect(requestBody(s.calls.at(-1)!)).not.toHaveProperty("ready_at");
  });

  it("delay and readyAt in enqueueBulk use one clock reading", async () => {
    const jobs = await s.client.enqueueBulk([Mail.with({ to: "a" }, { delay: "1m" }), Mail.with({ to: "b" }, { readyAt: new Date(T + 5) }), Mail.with({ to: "c" })]);
    expect(jobs.map((job) => job.readyAt)).toEqual([T + 60_000, T + 5, T]);
    expect(jobs.map((job) => job.status)).toEqual(["scheduled", "scheduled", "ready"]);
  });

  it("both delay and readyAt is a ZizqArgumentError, and nothing is sent", async () => {
    const error = await rejection(s.client.enqueue(Mail, { to: "a" }, { delay: "5m", readyAt: new Date(T) }));
    expect(error).toBeInstanceOf(ZizqArgumentError);
    expect((error as ZizqArgumentError).message).toMatch(/readyAt or delay, not both/);
    expect(() => Mail.with({ to: "a" }, { delay: 1, readyAt: T })).toThrow(ZizqArgumentError);
    expect(s.calls).toEqual([]);
  });

  it("a bad delay or readyAt is a ZizqArgumentError naming it, and nothing is sent", async () => {
    const cases: [unknown, string][] = [
      [{ delay: "5 minutes" }, "delay"],
      [{ delay: "-5m" }, "delay"],
      [{ delay: -1 }, "delay"],
      [{ delay: Number.POSITIVE_INFINITY }, "delay"],
      [{ readyAt: new Date(Number.NaN) }, "readyAt"],
      [{ readyAt: -5 }, "readyAt"],
    ];
    for (const [options, field] of cases) {
      const error = await rejection(s.client.enqueue(Mail, { to: "a" }, options as never));
      expect(error, JSON.stringify(options)).toBeInstanceOf(ZizqArgumentError);
      expect((error as ZizqArgumentError).field).toBe(field);
    }
    expect(s.calls).toEqual([]);
  });

  it("the server promotes a delayed job when its clock passes readyAt", async () => {
    let now = T;
    const moving = await setup({ format, server: { now: () => now }, client: { now: () => now } });
    try {
      const job = await moving.client.enqueue(Mail, { to: "a" }, { delay: "5m" });
      expect(await moving.client.jobs({ status: "scheduled" }).count()).toBe(1);
      now = T + 300_000;
      moving.server.tick();
      expect((await moving.client.getJob(job.id)).status).toBe("ready");
    } finally {
      await moving.close();
    }
  });
});
