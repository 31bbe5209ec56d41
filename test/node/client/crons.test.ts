/** Every `client.crons.*` method on a pro server (in-process and over a socket, both formats), and the free tier. */
import * as v from "valibot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  defineJob,
  ZizqArgumentError,
  ZizqBadRequestError,
  ZizqConflictError,
  ZizqNotFoundError,
  ZizqProLicenseError,
  ZizqValidationError,
} from "../../../src/index.ts";
import { expectFormat as expectHarnessFormat, MATRIX, rejection, requestBody, type Setup, setup } from "./harness.ts";

const Report = defineJob({ type: "report", queue: "reports", schema: v.object({ kind: v.string() }), priority: 5 });
const Cleanup = defineJob<{ days: number }>({ type: "cleanup", queue: "maintenance", retryLimit: 2 });

describe.each(MATRIX)("client.crons ($mode, $format)", ({ mode, format }) => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup({ mode, format, server: { license: "pro" } });
  });
  afterEach(async () => {
    await s.close();
  });

  const expectFormat = () => expectHarnessFormat(s.calls, format);

  it("put, get, list, pause, resume, delete and deleteAll", async () => {
    expect(await s.client.crons.list()).toEqual([]);
    const group = await s.client.crons.put("default", {
      entries: [
        { name: "e1", expression: "* * * * *", job: Report.with({ kind: "hourly" }) },
        { name: "e2", expression: "0 9 * * *", timezone: "Australia/Melbourne", job: Cleanup.with({ days: 7 }, { priority: 1 }) },
      ],
    });
    expect(group).toMatchObject({ name: "default", paused: false });
    expect(group.entries.map((entry) => entry.name)).toEqual(["e1", "e2"]);
    expect(group.entries[0]).toMatchObject({
      expression: "* * * * *",
      paused: false,
      job: { type: "report", queue: "reports", priority: 5, payload: { kind: "hourly" } },
    });
    expect(typeof group.entries[0]?.nextEnqueueAt).toBe("number");
    expect(group.entries[1]).toMatchObject({ timezone: "Australia/Melbourne", job: { type: "cleanup", priority: 1, retryLimit: 2, payload: { days: 7 } } });
    expect(requestBody(s.calls.at(-1)!)).toMatchObject({
      entries: [{ name: "e1", expression: "* * * * *", job: { type: "report", queue: "reports", payload: { kind: "hourly" }, priority: 5 } }, { name: "e2" }],
    });

    expect(await s.client.crons.get("default")).toEqual(group);
    const replaced = await s.client.crons.put("default", { entries: [{ name: "e1", expression: "* * * * *", job: Report.with({ kind: "hourly" }) }] });
    expect(replaced.entries.map((entry) => entry.name)).toEqual(["e1"]);

    const paused = await s.client.crons.pause("default");
    expect(paused.paused).toBe(true);
    expect(typeof paused.pausedAt).toBe("number");
    expect(paused.entries).toHaveLength(1);
    const resumed = await s.client.crons.resume("default");
    expect(resumed.paused).toBe(false);
    expect(typeof resumed.resumedAt).toBe("number");

    const second = await s.client.crons.put("alpha", { paused: true, entries: [] });
    expect(second).toMatchObject({ name: "alpha", paused: true, entries: [] });
    expect(await s.client.crons.list()).toEqual(["alpha", "default"]);

    await s.client.crons.delete("alpha");
    expect(await rejection(s.client.crons.get("alpha"))).toBeInstanceOf(ZizqNotFoundError);
    expect(await rejection(s.client.crons.delete("alpha"))).toBeInstanceOf(ZizqNotFoundError);
    expect(await rejection(s.client.crons.pause("alpha"))).toBeInstanceOf(ZizqNotFoundError);

    await s.client.crons.put("beta", { entries: [] });
    expect(await s.client.crons.deleteAll()).toBe(2);
    expect(await s.client.crons.list()).toEqual([]);
    expect(await s.client.crons.deleteAll()).toBe(0);
    expectFormat();
  });

  it("addEntry, getEntry, putEntry, pauseEntry, resumeEntry and deleteEntry", async () => {
    const added = await s.client.crons.addEntry("default", { name: "e1", expression: "*/5 * * * *", job: Report.with({ kind: "a" }) });
    expect(added).toMatchObject({ name: "e1", expression: "*/5 * * * *", paused: false, job: { type: "report", payload: { kind: "a" } } });
    expect(typeof added.nextEnqueueAt).toBe("number");
    expect(s.calls.at(-1)).toMatchObject({ method: "POST", path: "/crons/default/entries", status: 201 });
    expect(await s.client.crons.list()).toEqual(["default"]);

    const conflict = await rejection(s.client.crons.addEntry("default", { name: "e1", expression: "* * * * *", job: Report.with({ kind: "b" }) }));
    expect(conflict).toBeInstanceOf(ZizqConflictError);
    expect(conflict).toMatchObject({ status: 409, request: { method: "POST", path: "/crons/default/entries" } });
    expect((conflict as ZizqConflictError).serverMessage).toContain("already exists");

    expect(await s.client.crons.getEntry("default", "e1")).toEqual(added);
    const replaced = await s.client.crons.putEntry("default", { name: "e1", expression: "*/5 * * * *", job: Cleanup.with({ days: 1 }) });
    expect(replaced.job).toMatchObject({ type: "cleanup", queue: "maintenance", payload: { days: 1 } });
    expect(replaced.nextEnqueueAt).toBe(added.nextEnqueueAt);
    const created = await s.client.crons.putEntry("other group", { name: "e 2", paused: true, expression: "0 0 * * *", job: Cleanup.with({ days: 2 }) });
    expect(created).toMatchObject({ name: "e 2", paused: true });
    expect(s.calls.at(-1)?.path).toBe("/crons/other%20group/entries/e%202");

    const paused = await s.client.crons.pauseEntry("default", "e1");
    expect(paused.paused).toBe(true);
    expect(typeof paused.pausedAt).toBe("number");
    const resumed = await s.client.crons.resumeEntry("default", "e1");
    expect(resumed.paused).toBe(false);
    expect(typeof resumed.resumedAt).toBe("number");

    await s.client.crons.deleteEntry("default", "e1");
    expect(await rejection(s.client.crons.getEntry("default", "e1"))).toBeInstanceOf(ZizqNotFoundError);
    expect(await rejection(s.client.crons.deleteEntry("default", "e1"))).toBeInstanceOf(ZizqNotFoundError);
    expect(await rejection(s.client.crons.pauseEntry("default", "missing"))).toBeInstanceOf(ZizqNotFoundError);
    expect((await s.client.crons.get("default")).entries).toEqual([]);
    expectFormat();
  });

  it("refuses bad entries: a bad expression is a 400; readyAt/delay and bad payloads are refused before sending", async () => {
    const bad = await rejection(s.client.crons.put("default", { entries: [{ name: "e1", expression: "not a cron", job: Report.with({ kind: "a" }) }] }));
    expect(bad).toBeInstanceOf(ZizqBadRequestError);
    expect(bad).toMatchObject({ status: 400, request: { method: "PUT", path: "/crons/default" } });
    const sent = s.calls.length;

    const delayed = await rejection(s.client.crons.addEntry("default", { name: "e1", expression: "* * * * *", job: Report.with({ kind: "a" }, { delay: "5m" }) }));
    expect(delayed).toBeInstanceOf(ZizqArgumentError);
    expect((delayed as ZizqArgumentError).field).toBe("entry.job");
    const invalid = await rejection(
      // @ts-expect-error kind must be a string
      s.client.crons.put("default", { entries: [{ name: "e1", expression: "* * * * *", job: Report.with({ kind: 1 }) }] }),
    );
    expect(invalid).toBeInstanceOf(ZizqValidationError);
    expect(s.calls.length).toBe(sent);
  });
});

describe("client.crons on the free tier", () => {
  it("every method throws ZizqProLicenseError saying a pro licence is needed", async () => {
    const s = await setup({ server: { license: "free" } });
    try {
      const entry = { name: "e1", expression: "* * * * *", job: Cleanup.with({ days: 1 }) };
      const calls: [string, () => Promise<unknown>][] = [
        ["list", () => s.client.crons.list()],
        ["get", () => s.client.crons.get("g")],
        ["put", () => s.client.crons.put("g", { entries: [entry] })],
        ["pause", () => s.client.crons.pause("g")],
        ["resume", () => s.client.crons.resume("g")],
        ["delete", () => s.client.crons.delete("g")],
        ["deleteAll", () => s.client.crons.deleteAll()],
        ["addEntry", () => s.client.crons.addEntry("g", entry)],
        ["getEntry", () => s.client.crons.getEntry("g", "e1")],
        ["putEntry", () => s.client.crons.putEntry("g", entry)],
        ["pauseEntry", () => s.client.crons.pauseEntry("g", "e1")],
        ["resumeEntry", () => s.client.crons.resumeEntry("g", "e1")],
        ["deleteEntry", () => s.client.crons.deleteEntry("g", "e1")],
      ];
      for (const [name, call] of calls) {
        const error = await rejection(call());
        expect(error, name).toBeInstanceOf(ZizqProLicenseError);
        expect(error, name).toMatchObject({ status: 403, serverMessage: "cron scheduling requires a pro license" });
        expect((error as Error).message, name).toMatch(/pro licen[cs]e/i);
      }
      expect(s.calls).toHaveLength(calls.length);
    } finally {
      await s.close();
    }
  });
});
