/**
 * Version gating: a 0.6 server silently ignores `budgets` (the job runs unthrottled) and a group
 * `timezone` (entries run in the server's zone). So every call that uses either fails with
 * `ZizqVersionError` against a server older than 0.7, before anything is written; the version
 * is asked once per client, and never by a client that uses neither.
 */
import { afterEach, describe, expect, it } from "vitest";
import { defineJob, ZizqConnectionError, ZizqVersionError } from "../../../src/index.ts";
import { MODES, rejection, type Setup, setup } from "./harness.ts";

const Call = defineJob<{ n: number }>({ type: "call_api", queue: "api" });
const Throttled = defineJob<{ n: number }>({ type: "call_api", queue: "api", budgets: [{ key: "api" }] });
const cap = { type: "while_in_flight" } as const;

describe.each(MODES)("against a 0.6.1 server (%s)", (mode) => {
  let s: Setup;
  afterEach(async () => {
    await s.close();
  });

  it("every budget and timezone call fails with ZizqVersionError and writes nothing", async () => {
    s = await setup({ mode, server: { license: "pro", version: "0.6.1" } });
    const plain = await s.client.enqueue(Call, { n: 0 });
    await s.client.crons.put("g", { entries: [{ name: "e", expression: "0 9 * * *", job: Call.with({ n: 0 }) }] });
    s.calls.length = 0;

    const query = s.client.jobs({ queue: "api" });
    const calls: [string, () => Promise<unknown>][] = [
      ["enqueue with budgets", () => s.client.enqueue(Call, { n: 1 }, { budgets: [{ key: "api" }] })],
      ["enqueue with a defineJob default", () => s.client.enqueue(Throttled, { n: 1 })],
      ["enqueueBulk with budgets", () => s.client.enqueueBulk([Call.with({ n: 1 }), Throttled.with({ n: 2 })])],
      ["enqueueRaw with budgets", () => s.client.enqueueRaw({ type: "call_api", queue: "api", payload: {}, budgets: [{ key: "api" }] })],
      ["budgets.define", () => s.client.budgets.define({ key: "api", allocation: 2, strategy: cap })],
      ["budgets.define (replace)", () => s.client.budgets.define({ key: "api", allocation: 2, strategy: cap, replace: true })],
      ["budgets.ensure", () => s.client.budgets.ensure({ key: "api", allocation: 2, strategy: cap })],
      ["budgets.get", () => s.client.budgets.get("api")],
      ["budgets.list", () => s.client.budgets.list()],
      ["budgets.update", () => s.client.budgets.update("api", { allocation: 3 })],
      ["budgets.delete", () => s.client.budgets.delete("api")],
      ["budgets.bindJob", () => s.client.budgets.bindJob(plain.id, { key: "api" })],
      ["budgets.rebindJob", () => s.client.budgets.rebindJob(plain.id, { key: "api" })],
      ["budgets.setJobCost", () => s.client.budgets.setJobCost(plain.id, "api", 2)],
      ["budgets.unbindJob", () => s.client.budgets.unbindJob(plain.id, "api")],
      ["budgets.clearJobBudgets", () => s.client.budgets.clearJobBudgets(plain.id)],
      ["budgets.replaceJobBudgets", () => s.client.budgets.replaceJobBudgets(plain.id, [{ key: "api" }])],
      ["jobs().bindBudget", () => query.bindBudget({ key: "api" })],
      ["jobs().rebindBudget", () => query.rebindBudget({ key: "api" })],
      ["jobs().setBudgetCost", () => query.setBudgetCost("api", 2)],
      ["jobs().unbindBudget", () => query.unbindBudget("api")],
      ["jobs().clearAllBudgets", () => query.clearAllBudgets()],
      ["jobs({ budgetsKey }).count", () => s.client.jobs({ budgetsKey: "api" }).count()],
      ["jobs({ budgetsKey }).toArray", () => s.client.jobs({ budgetsKey: "api" }).toArray()],
      ["jobs({ budgetsKey }).updateAll", () => s.client.jobs({ budgetsKey: "api" }).updateAll({ priority: 1 })],
      ["jobs({ budgetsKey }).deleteAll", () => s.client.jobs({ budgetsKey: "api" }).deleteAll()],
      ["crons.put with a group timezone", () => s.client.crons.put("g", { timezone: "Australia/Melbourne", entries: [] })],
      ["crons.setTimezone", () => s.client.crons.setTimezone("g", "UTC")],
      ["crons.setTimezone(null)", () => s.client.crons.setTimezone("g", null)],
      ["crons.put with template budgets", () => s.client.crons.put("g", { entries: [{ name: "e", expression: "* * * * *", job: Throttled.with({ n: 1 }) }] })],
      ["crons.addEntry with template budgets", () => s.client.crons.addEntry("g", { name: "f", expression: "* * * * *", job: Throttled.with({ n: 1 }) })],
      ["crons.putEntry with template budgets", () => s.client.crons.putEntry("g", { name: "e", expression: "* * * * *", job: Throttled.with({ n: 1 }) })],
    ];
    for (const [name, call] of calls) {
      const error = await rejection(call());
      expect(error, name).toBeInstanceOf(ZizqVersionError);
      expect((error as Error).message, name).toMatch(/^(budgets|cron group timezones) need Zizq 0\.7 or newer; the server is 0\.6\.1$/);
      expect((error as ZizqVersionError).serverVersion).toBe("0.6.1");
    }
    expect((await rejection(s.client.budgets.list())) as Error).toHaveProperty("message", "budgets need Zizq 0.7 or newer; the server is 0.6.1");

    // The version was asked once for all of them, and nothing else went out.
    expect(s.calls.map((call) => `${call.method} ${call.path}`)).toEqual(["GET /version"]);
    expect(await s.client.jobs().toArray()).toMatchObject([{ id: plain.id, budgets: [] }]);
    expect((await s.client.crons.get("g")).entries.map((entry) => entry.name)).toEqual(["e"]);
    expect((await s.client.crons.get("g")).timezone).toBeUndefined();
  });

  it("an empty budgets list is an ordinary job: no version asked, nothing refused", async () => {
    s = await setup({ mode, server: { version: "0.6.1" } });
    const job = await s.client.enqueue(Throttled, { n: 1 }, { budgets: [] });
    expect(job.budgets).toEqual([]);
    expect(s.calls.map((call) => `${call.method} ${call.path}`)).toEqual(["POST /jobs"]);
  });
});

describe("the version is learned once per client, only when needed", () => {
  let s: Setup;
  afterEach(async () => {
    await s.close();
  });

  it("a producer that never uses budgets or timezones never asks for the version", async () => {
    s = await setup({ server: { version: "0.7.0" } });
    await s.client.enqueue(Call, { n: 1 });
    await s.client.enqueueBulk([Call.with({ n: 2 })]);
    await s.client.jobs({ queue: "api" }).count();
    expect(s.calls.some((call) => call.path === "/version")).toBe(false);
  });

  it("against 0.7 the first budgeted call asks once; later calls and other clients of the same server ask on their own", async () => {
    s = await setup({ server: { license: "pro", version: "0.7.0" } });
    await s.client.budgets.define({ key: "api", allocation: 2, strategy: cap });
    await s.client.enqueue(Call, { n: 1 }, { budgets: [{ key: "api" }] });
    expect(await s.client.jobs({ budgetsKey: "api" }).count()).toBe(1);
    expect(s.calls.filter((call) => call.path === "/version")).toHaveLength(1);
    await s.clientWith({}).budgets.list();
    expect(s.calls.filter((call) => call.path === "/version")).toHaveLength(2);
  });

  it("a version that could not be learned is asked again by the next call, and nothing was written", async () => {
    s = await setup({ server: { license: "pro", version: "0.7.0" } });
    let down = true;
    const client = s.clientWith({
      retry: false,
      fetch: (input, init) => (down ? Promise.reject(new TypeError("connection refused")) : s.server.fetch(input, init)),
    });
    expect(await rejection(client.enqueue(Call, { n: 1 }, { budgets: [{ key: "api", createWith: { allocation: 1, strategy: cap } }] }))).toBeInstanceOf(
      ZizqConnectionError,
    );
    down = false;
    expect(await client.jobs().count()).toBe(0);
    const job = await client.enqueue(Call, { n: 1 }, { budgets: [{ key: "api", createWith: { allocation: 1, strategy: cap } }] });
    expect(job.budgets).toEqual([{ key: "api", cost: 1 }]);
  });

  it("a version that does not parse is taken as too old", async () => {
    s = await setup({ server: { license: "pro", version: "nightly" } });
    const error = await rejection(s.client.budgets.list());
    expect(error).toBeInstanceOf(ZizqVersionError);
    expect((error as Error).message).toBe("budgets need Zizq 0.7 or newer; the server is nightly");
  });

  it("a newer server (0.8, 1.0) passes the gate", async () => {
    for (const version of ["0.8.0", "0.7.0-dev", "1.0.0"]) {
      s = await setup({ server: { license: "pro", version } });
      expect(await s.client.budgets.list()).toEqual([]);
      await s.close();
    }
    s = await setup();
  });
});
