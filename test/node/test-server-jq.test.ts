/**
 * The test server's jq payload filters under odd expressions: what the real server answers
 * (zizq 0.6.1 `src/filter.rs`: a runtime error is a non-match, a compile error 400
 * `invalid filter: <jaq's message>`), and what it does where the real server has no answer.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { target } from "../contract/harness.ts";

const q = encodeURIComponent;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a filter that stops jq is a non-match, as every runtime error", () => {
  const stoppers = ["halt", "halt_error", '"x" | halt_error(1)', "halt_error(3)", "if .keep then true else halt end"];

  it.for(stoppers)("%s: list, count, bulk patch and bulk delete answer 200", async (expr, ctx) => {
    const t = await target(ctx);
    const kept = await t.enqueue({ payload: { keep: true } });
    await t.enqueue({ payload: { keep: false } });
    const matching = expr.startsWith("if") ? [kept.id] : [];

    const list = await t.get(`/jobs?filter=${q(expr)}`);
    expect(list.status, list.text).toBe(200);
    expect(list.body.jobs.map((job: { id: string }) => job.id)).toEqual(matching);
    const count = await t.get(`/jobs/count?filter=${q(expr)}`);
    expect(count.status, count.text).toBe(200);
    expect(count.body).toEqual({ count: matching.length });
    const patch = await t.patch(`/jobs?filter=${q(expr)}`, { priority: 7 });
    expect(patch.status, patch.text).toBe(200);
    expect(patch.body).toEqual({ patched: matching.length });
    const del = await t.del(`/jobs?filter=${q(expr)}`);
    expect(del.status, del.text).toBe(200);
    expect(del.body).toEqual({ deleted: matching.length });
    expect((await t.get("/jobs/count")).body.count).toBe(2 - matching.length);
  });

  it("debug and stderr pass their input through without printing", async (ctx) => {
    const warn = vi.spyOn(console, "warn");
    const t = await target(ctx);
    await t.enqueue({ payload: { n: 1 } });
    for (const expr of ["debug | .n == 1", 'debug("msg") | .n == 1', "stderr | .n == 1"]) {
      const count = await t.get(`/jobs/count?filter=${q(expr)}`);
      expect(count.body, expr).toEqual({ count: 1 });
    }
    expect(warn).not.toHaveBeenCalled();
  });
});

describe("a filter that does not compile is 400 invalid filter, in jaq's words where jq's differ", () => {
  const cases: Array<[string, string]> = [
    ["", "invalid filter: expected term"],
    ["   ", "invalid filter: expected term"],
    ["# only a comment", "invalid filter: expected term"],
    ["nope", 'invalid filter: undefined filter "nope"'],
    ["nope(1) | also", 'invalid filter: undefined filter "nope"; undefined filter "also"'],
    ["$x == 1", 'invalid filter: undefined variable "$x"'],
    ["halt_error(1; 2)", 'invalid filter: undefined filter "halt_error"'],
  ];

  it.for(cases)("%j → %s, on every filtered route", async ([expr, error], ctx) => {
    const t = await target(ctx);
    await t.enqueue({ payload: { n: 1 } });
    for (const [method, path] of [
      ["GET", "/jobs"],
      ["GET", "/jobs/count"],
      ["PATCH", "/jobs"],
      ["DELETE", "/jobs"],
    ] as const) {
      const reply = await t.req(method, `${path}?filter=${q(expr)}`, method === "PATCH" ? { json: {} } : {});
      expect(reply.status, `${method} ${path}`).toBe(400);
      expect(reply.body).toEqual({ error });
    }
    expect((await t.get("/jobs/count")).body.count).toBe(1);
  });
});
