// zizq-protocol-0.7.md §13 facts 243–252: the cron group timezone and budgets in cron job
// templates (§9).
import { describe, expect, it } from "vitest";
import { on, pro, whileInFlight } from "./budget-helpers.ts";
import { job, type Target } from "./harness.ts";

const YEARLY = "0 0 1 1 *";
const NINE = "0 9 * * *";

function entry(name: string, expression = YEARLY, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, expression, job: job(), ...fields };
}

/** The wall-clock time of `ms` in `timeZone`, as "HH:MM". */
function wallClock(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(ms);
}

const nextOf = async (t: Target, name: string): Promise<number> =>
  (await t.get(`/crons/g/entries/${name}`)).body.next_enqueue_at;

describe("cron group timezone", () => {
  it("fact 243: PUT a group with a timezone echoes it after paused", async (ctx) => {
    const t = await pro(ctx);
    const r = await t.put("/crons/g", { timezone: "Australia/Melbourne", entries: [entry("e1")] });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: "g", paused: false, timezone: "Australia/Melbourne" });
    expect(Object.keys(r.body)).toEqual(["name", "paused", "timezone", "entries"]);
    const read = await t.get("/crons/g");
    expect(read.body.timezone).toBe("Australia/Melbourne");
    expect(Object.keys(read.body)).toEqual(["name", "paused", "timezone", "entries"]);
  });

  it("fact 244: a later PUT without timezone clears it", async (ctx) => {
    const t = await pro(ctx);
    await t.put("/crons/g", { timezone: "Australia/Melbourne", entries: [entry("e1")] });
    const r = await t.put("/crons/g", { entries: [entry("e1")] });
    expect(r.status).toBe(200);
    expect(r.body).not.toHaveProperty("timezone");
    expect((await t.get("/crons/g")).body).not.toHaveProperty("timezone");
  });

  it("fact 245: PATCH timezone leaves paused alone; timezone:null clears it", async (ctx) => {
    const t = await pro(ctx);
    const put = await t.put("/crons/g", { paused: true, entries: [entry("e1")] });
    const set = await t.patch("/crons/g", { timezone: "UTC" });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ paused: true, paused_at: put.body.paused_at, timezone: "UTC" });
    const cleared = await t.patch("/crons/g", { timezone: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ paused: true, paused_at: put.body.paused_at });
    expect(cleared.body).not.toHaveProperty("timezone");
  });

  it("fact 246 (unknown; we choose: PATCH {} is 200 and changes nothing)", async (ctx) => {
    const t = await pro(ctx);
    await t.put("/crons/g", { paused: true, timezone: "UTC", entries: [entry("e1")] });
    const before = (await t.get("/crons/g")).body;
    const r = await t.patch("/crons/g", {});
    expect(r.status).toBe(200);
    expect(r.body).toEqual(before);
    expect((await t.get("/crons/g")).body).toEqual(before);
  });

  it("fact 247: an unknown group timezone is 400 and writes nothing", async (ctx) => {
    const t = await pro(ctx);
    const r = await t.put("/crons/g", { timezone: "Not/Real", entries: [entry("e1")] });
    expect(r.status).toBe(400);
    if (t.remote) expect(r.body.error).toContain("Not/Real");
    else expect(r.body).toEqual({ error: 'invalid timezone: "Not/Real"' });
    expect((await t.get("/crons/g")).status).toBe(404);
  });

  it("fact 248: an entry without a timezone runs in the group's zone; its own timezone wins", async (ctx) => {
    const t = await pro(ctx);
    const r = await t.put("/crons/g", {
      timezone: "Australia/Melbourne",
      entries: [entry("inherits", NINE), entry("same", NINE, { timezone: "Australia/Melbourne" }), entry("own", NINE, { timezone: "UTC" })],
    });
    expect(r.status).toBe(200);
    const [inherits, same, own] = r.body.entries;
    expect(inherits).not.toHaveProperty("timezone");
    expect(own.timezone).toBe("UTC");
    expect(inherits.next_enqueue_at).toBe(same.next_enqueue_at);
    expect(wallClock(inherits.next_enqueue_at, "Australia/Melbourne")).toBe("09:00");
    expect(wallClock(own.next_enqueue_at, "UTC")).toBe("09:00");
    expect(own.next_enqueue_at).not.toBe(inherits.next_enqueue_at);
  });

  it("fact 249: changing only the group's or only the entry's timezone reschedules the entry", async (ctx) => {
    const t = await pro(ctx);
    await t.put("/crons/g", { timezone: "UTC", entries: [entry("e1", NINE)] });
    const utc = await nextOf(t, "e1");
    expect(wallClock(utc, "UTC")).toBe("09:00");

    expect((await t.patch("/crons/g", { timezone: "Asia/Tokyo" })).status).toBe(200);
    const tokyo = await nextOf(t, "e1");
    expect(tokyo).not.toBe(utc);
    expect(wallClock(tokyo, "Asia/Tokyo")).toBe("09:00");

    expect((await t.put("/crons/g", { timezone: "UTC", entries: [entry("e1", NINE)] })).status).toBe(200);
    expect(wallClock(await nextOf(t, "e1"), "UTC")).toBe("09:00");

    const own = await t.put("/crons/g/entries/e1", entry("e1", NINE, { timezone: "America/New_York" }));
    expect(own.status).toBe(200);
    expect(wallClock(own.body.next_enqueue_at, "UTC")).not.toBe("09:00");
    expect(wallClock(own.body.next_enqueue_at, "America/New_York")).toBe("09:00");
  });
});

describe("budgets in cron templates", () => {
  it("fact 250: a template's budgets are echoed as {key,cost} at the end of job, without create_with", async (ctx) => {
    const t = await pro(ctx);
    const template = job(on({ key: "k", cost: 2, create_with: whileInFlight(5) }));
    const r = await t.put("/crons/g", { entries: [entry("e1", YEARLY, { job: template })] });
    expect(r.status).toBe(200);
    const echoed = r.body.entries[0].job;
    expect(echoed.budgets).toEqual([{ key: "k", cost: 2 }]);
    expect(Object.keys(echoed).at(-1)).toBe("budgets");
    const read = (await t.get("/crons/g/entries/e1")).body.job;
    expect(read.budgets).toEqual([{ key: "k", cost: 2 }]);
    expect(Object.keys(read).at(-1)).toBe("budgets");
  });

  it("fact 251 (unknown, 400 or 422; we choose 422, nothing written): a template on a missing budget is refused", async (ctx) => {
    const t = await pro(ctx);
    const r = await t.put("/crons/g", { entries: [entry("e1", YEARLY, { job: job(on("ghost")) })] });
    if (t.remote) expect([400, 422]).toContain(r.status);
    else {
      expect(r.status).toBe(422);
      expect(r.body).toEqual({ error: "budget 'ghost' does not exist and no create_with policy was supplied to create it with" });
    }
    expect((await t.get("/crons/g")).status).toBe(404);
    expect((await t.get("/budgets/ghost")).status).toBe(404);
  });

  it("fact 252: a template's create_with creates the budget when the entry is installed", async (ctx) => {
    const t = await pro(ctx);
    const template = job(on({ key: "nightly", create_with: whileInFlight(3) }));
    expect((await t.put("/crons/g", { entries: [entry("e1", YEARLY, { job: template })] })).status).toBe(200);
    const r = await t.get("/budgets/nightly");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ key: "nightly", allocation: 3, strategy: { type: "while_in_flight" } });
  });
});
