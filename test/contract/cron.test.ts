// §13 facts 139–154: cron groups and entries (Pro).
import { describe, expect, it } from "vitest";
import { job, target } from "./harness.ts";

const FORBIDDEN = { error: "cron scheduling requires a pro license" };
// Yearly, so no entry fires while a test runs.
const YEARLY = "0 0 1 1 *";

function entry(name: string, expression = YEARLY, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, expression, job: job(), ...fields };
}

describe("cron", () => {
  it("fact 139: every cron route on the free tier is 403", async (ctx) => {
    const t = await target(ctx, { license: "free" });
    const routes: [string, string, unknown?][] = [
      ["GET", "/crons"],
      ["DELETE", "/crons"],
      ["GET", "/crons/g"],
      ["PUT", "/crons/g", { entries: [entry("e1")] }],
      ["PATCH", "/crons/g", { paused: true }],
      ["DELETE", "/crons/g"],
      ["POST", "/crons/g/entries", entry("e1")],
      ["GET", "/crons/g/entries/e1"],
      ["PUT", "/crons/g/entries/e1", entry("e1")],
      ["PATCH", "/crons/g/entries/e1", { paused: true }],
      ["DELETE", "/crons/g/entries/e1"],
    ];
    for (const [method, path, json] of routes) {
      const r = await t.req(method, path, json === undefined ? {} : { json });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body, `${method} ${path}`).toEqual(FORBIDDEN);
    }
  });

  it("fact 140: Pro: PUT a group with two entries", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const r = await t.put("/crons/default", {
      entries: [entry("e1", "* * * * *"), entry("e2", "0 9 * * *", { job: job({ type: "report", queue: "daily" }) })],
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: "default", paused: false });
    expect(r.body.entries).toHaveLength(2);
    const [e1, e2] = r.body.entries;
    expect(e1).toMatchObject({ name: "e1", expression: "* * * * *", paused: false });
    expect(e1.next_enqueue_at).toBeTypeOf("number");
    expect(e1.job).toMatchObject({ type: "t", queue: "q", priority: 32768 });
    expect(e2).toMatchObject({ name: "e2", job: { type: "report", queue: "daily" } });
  });

  it("fact 141: Pro: PUT replaces the entry set", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    await t.put("/crons/default", { entries: [entry("e1"), entry("e2")] });
    const r = await t.put("/crons/default", { entries: [entry("e1")] });
    expect(r.status).toBe(200);
    expect(r.body.entries.map((e: any) => e.name)).toEqual(["e1"]);
    expect((await t.get("/crons/default")).body.entries.map((e: any) => e.name)).toEqual(["e1"]);
  });

  it("fact 142: Pro: invalid entries are 400; a valid timezone is echoed", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const put = (entries: unknown[]) => t.put("/crons/default", { entries });

    const expression = await put([entry("e1", "not a cron")]);
    expect(expression.status).toBe(400);
    expect(expression.body.error).toMatch(/^invalid cron expression: /);

    const readyAt = await put([entry("e1", YEARLY, { job: job({ ready_at: Date.now() }) })]);
    expect(readyAt.status).toBe(400);
    expect(readyAt.body.error).toContain("ready_at");
    expect(readyAt.body.error).toBe("ready_at is not supported for cron entries");

    const emptyName = await put([entry("")]);
    expect(emptyName.status).toBe(400);
    expect(emptyName.body.error).toBe("cron entry name must not be empty");

    const duplicate = await put([entry("e1"), entry("e1")]);
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.error).toContain("duplicate");
    expect(duplicate.body.error).toBe('duplicate cron entry name: "e1"');

    const badZone = await put([entry("e1", YEARLY, { timezone: "Not/Real" })]);
    expect(badZone.status).toBe(400);
    expect(badZone.body.error).toBe('invalid timezone: "Not/Real"');

    expect((await t.get("/crons")).body).toEqual({ crons: [] });

    const zoned = await put([entry("e1", YEARLY, { timezone: "Australia/Melbourne" })]);
    expect(zoned.status).toBe(200);
    expect(zoned.body.entries[0].timezone).toBe("Australia/Melbourne");
  });

  it("fact 143: Pro: PUT paused:true pauses the group", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const r = await t.put("/crons/default", { paused: true, entries: [entry("e1")] });
    expect(r.status).toBe(200);
    expect(r.body.paused).toBe(true);
    expect(r.body.paused_at).toBeTypeOf("number");
    expect(r.body).not.toHaveProperty("resumed_at");
  });

  it("fact 144: Pro: GET a group, and 404 for a missing one", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    await t.put("/crons/default", { entries: [entry("e2"), entry("e1")] });
    const r = await t.get("/crons/default");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: "default", paused: false });
    // A re-read group lists its entries by name.
    expect(r.body.entries.map((e: any) => e.name)).toEqual(["e1", "e2"]);
    const missing = await t.get("/crons/nonexistent");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: "cron group 'nonexistent' not found" });
  });

  it("fact 145: Pro: DELETE a group", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    await t.put("/crons/default", { entries: [entry("e1")] });
    const r = await t.del("/crons/default");
    expect(r.status).toBe(204);
    expect(r.bytes.length).toBe(0);
    expect((await t.get("/crons/default")).status).toBe(404);
    const missing = await t.del("/crons/nonexistent");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: "cron group 'nonexistent' not found" });
  });

  it("fact 146: Pro: DELETE /crons deletes every group", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    await t.put("/crons/one", { entries: [entry("e1")] });
    await t.put("/crons/two", { entries: [] });
    const r = await t.del("/crons");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ deleted: 2 });
    expect((await t.get("/crons")).body).toEqual({ crons: [] });
    const again = await t.del("/crons");
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ deleted: 0 });
  });

  it("fact 147: Pro: PATCH pauses and resumes a group", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    await t.put("/crons/default", { entries: [entry("e1"), entry("e2")] });
    const paused = await t.patch("/crons/default", { paused: true });
    expect(paused.status).toBe(200);
    expect(paused.body.paused).toBe(true);
    expect(paused.body.paused_at).toBeTypeOf("number");
    expect(paused.body.entries.map((e: any) => e.name)).toEqual(["e1", "e2"]);
    const resumed = await t.patch("/crons/default", { paused: false });
    expect(resumed.status).toBe(200);
    expect(resumed.body.paused).toBe(false);
    expect(resumed.body.resumed_at).toBeTypeOf("number");
    const missing = await t.patch("/crons/nonexistent", { paused: true });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: "cron group 'nonexistent' not found" });
  });

  it("fact 148: Pro: GET /crons lists group names sorted", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    await t.put("/crons/beta", { entries: [] });
    await t.put("/crons/alpha", { entries: [entry("e1")] });
    const r = await t.get("/crons");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ crons: ["alpha", "beta"] });
  });

  it("fact 149: Pro: POST an entry creates it, 409 when it exists", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const created = await t.post("/crons/default/entries", entry("e1"));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "e1", expression: YEARLY, paused: false });
    expect(created.body.next_enqueue_at).toBeTypeOf("number");
    const group = await t.get("/crons/default");
    expect(group.status).toBe(200);
    expect(group.body.entries.map((e: any) => e.name)).toEqual(["e1"]);

    const again = await t.post("/crons/default/entries", entry("e1"));
    expect(again.status).toBe(409);
    expect(again.body.error).toContain("already exists");
    expect(again.body.error).toBe("cron entry 'e1' already exists in group 'default'");

    const invalid = await t.post("/crons/default/entries", entry("e2", "not a cron"));
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toMatch(/^invalid cron expression: /);
  });

  it("fact 150: Pro: DELETE an entry keeps the group", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    await t.put("/crons/default", { entries: [entry("e1"), entry("e2")] });
    const r = await t.del("/crons/default/entries/e1");
    expect(r.status).toBe(204);
    expect(r.bytes.length).toBe(0);
    expect((await t.get("/crons/default")).body.entries.map((e: any) => e.name)).toEqual(["e2"]);
    const missing = await t.del("/crons/default/entries/missing");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: "cron entry 'missing' not found in group 'default'" });
  });

  it("fact 151: Pro: GET an entry, 404 when missing", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    await t.put("/crons/default", { entries: [entry("e1")] });
    const r = await t.get("/crons/default/entries/e1");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: "e1", expression: YEARLY, paused: false, job: { type: "t", queue: "q" } });
    const missing = await t.get("/crons/default/entries/missing");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: "cron entry 'missing' not found in group 'default'" });
  });

  it("fact 152: Pro: PUT an entry takes its name from the URL", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const r = await t.put("/crons/default/entries/e1", entry("ignored"));
    expect(r.status).toBe(200);
    expect(r.body.name).toBe("e1");
    expect((await t.get("/crons/default/entries/e1")).status).toBe(200);
    expect((await t.get("/crons/default/entries/ignored")).status).toBe(404);
  });

  it("fact 153: Pro: PUT an entry again replaces it; the same expression keeps the schedule", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    const first = await t.put("/crons/default/entries/e1", entry("e1"));
    expect(first.status).toBe(200);
    const retyped = await t.put("/crons/default/entries/e1", entry("e1", YEARLY, { job: job({ type: "other" }) }));
    expect(retyped.status).toBe(200);
    expect(retyped.body.job.type).toBe("other");
    const repaid = await t.put("/crons/default/entries/e1", entry("e1", YEARLY, { job: job({ payload: { v: 2 } }) }));
    expect(repaid.status).toBe(200);
    expect(repaid.body.job.payload).toEqual({ v: 2 });
    expect(repaid.body.next_enqueue_at).toBe(first.body.next_enqueue_at);
  });

  it("fact 154: Pro: PATCH pauses and resumes an entry", async (ctx) => {
    const t = await target(ctx, { license: "pro" });
    await t.put("/crons/default", { entries: [entry("e1")] });
    const paused = await t.patch("/crons/default/entries/e1", { paused: true });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ name: "e1", paused: true });
    expect(paused.body.paused_at).toBeTypeOf("number");
    const resumed = await t.patch("/crons/default/entries/e1", { paused: false });
    expect(resumed.status).toBe(200);
    expect(resumed.body.paused).toBe(false);
    expect(resumed.body.resumed_at).toBeTypeOf("number");
    const missing = await t.patch("/crons/default/entries/missing", { paused: true });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: "cron entry 'missing' not found in group 'default'" });
  });
});
