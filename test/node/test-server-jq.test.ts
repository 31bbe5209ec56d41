/**
 * The test server's jq payload filters under odd expressions: what the real server answers
 * (zizq 0.6.1 `src/filter.rs`: a runtime error is a non-match, a compile error 400
 * `invalid filter: <jaq's message>`), and what it does where the real server has no answer.
 */
import { afterEach, describe, expect, it, type TestContext, vi } from "vitest";
import { nodeJqThread, serve } from "../../adapters/node.ts";
import { createTestServer } from "../../src/testing/index.ts";
import type { TestServerOptions } from "../../src/testing/types.ts";
import { job, target } from "../contract/harness.ts";

const q = encodeURIComponent;

/** The routes that take a `filter` query parameter. */
const FILTERED_ROUTES = [
  ["GET", "/jobs"],
  ["GET", "/jobs/count"],
  ["PATCH", "/jobs"],
  ["DELETE", "/jobs"],
] as const;

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
    for (const [method, path] of FILTERED_ROUTES) {
      const reply = await t.req(method, `${path}?filter=${q(expr)}`, method === "PATCH" ? { json: {} } : {});
      expect(reply.status, `${method} ${path}`).toBe(400);
      expect(reply.body).toEqual({ error });
    }
    expect((await t.get("/jobs/count")).body.count).toBe(1);
  });
});

describe("a filter that never ends, on the jq thread (nodeJqThread)", () => {
  /** The test server on a real socket, filters on a worker thread. */
  async function socketServer(ctx: TestContext, options: TestServerOptions) {
    const server = createTestServer({ jqThread: nodeJqThread, ...options });
    const handle = await serve(server, { port: 0, hostname: "127.0.0.1" });
    ctx.onTestFinished(async () => {
      server.close();
      await handle.close();
    });
    const url = handle.url.replace(/\/+$/, "");
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
    return { url, post };
  }

  it("leaves /health, take streams and their heartbeats answering while it runs", async (ctx) => {
    const { url, post } = await socketServer(ctx, { heartbeatMs: 20, filterTimeoutMs: 5_000 });
    const take = await fetch(`${url}/jobs/take?prefetch=5`);
    const lines = take.body!.pipeThrough(new TextDecoderStream()).getReader();
    ctx.onTestFinished(() => lines.cancel());
    expect((await post("/jobs", job({ payload: { n: 1 } }))).status).toBe(201);

    let settled = false;
    const endless = fetch(`${url}/jobs/count?filter=${q("until(false; .)")}`).finally(() => (settled = true));

    // While jq loops on its thread: /health answers, heartbeats arrive, a new job is delivered.
    expect((await fetch(`${url}/health`)).status).toBe(200);
    let text = "";
    const read = async (until: (text: string) => boolean) => {
      while (!until(text)) {
        const { value, done } = await lines.read();
        if (done) throw new Error(`take stream ended: ${JSON.stringify(text)}`);
        text += value;
      }
    };
    await read((t) => t.includes('"n":1') && /\n\n\n/.test(t.slice(t.indexOf('"n":1'))));
    await post("/jobs", job({ payload: { n: 2 } }));
    await read((t) => t.includes('"n":2'));
    expect(settled).toBe(false);

    const reply = await endless;
    expect(reply.status).toBe(400);
    expect(await reply.json()).toEqual({
      error: "invalid filter: still running after 5000 ms (the test server's filterTimeoutMs; the real server has no limit)",
    });
  });

  it("fail-safe, as the real server has no bound: past filterTimeoutMs it is 400 invalid filter, and the next filter runs on a fresh thread", async (ctx) => {
    const { url, post } = await socketServer(ctx, { filterTimeoutMs: 200 });
    await post("/jobs", job({ payload: { n: 1 } }));
    for (const [method, path] of FILTERED_ROUTES) {
      const reply = await fetch(`${url}${path}?filter=${q("1 as $x | until(false; .)")}`, {
        method,
        ...(method === "PATCH" ? { body: "{}", headers: { "content-type": "application/json" } } : {}),
      });
      expect(reply.status, `${method} ${path}`).toBe(400);
      expect(((await reply.json()) as { error: string }).error).toMatch(/^invalid filter: still running after 200 ms/);
    }
    const count = await fetch(`${url}/jobs/count?filter=${q(".n == 1")}`);
    expect(await count.json()).toEqual({ count: 1 });
    const uncompiled = await fetch(`${url}/jobs/count?filter=${q("nope")}`);
    expect(await uncompiled.json()).toEqual({ error: 'invalid filter: undefined filter "nope"' });
  });
});

/** An in-process server holding one job `{n: 1}`, counting the jq threads it starts. */
async function countingThreads(ctx: TestContext) {
  let started = 0;
  const server = createTestServer({
    jqThread: () => {
      started++;
      return nodeJqThread();
    },
    // Growing to jq's memory limit takes seconds on a busy machine; only a crash should end it here.
    filterTimeoutMs: 15_000,
  });
  ctx.onTestFinished(() => server.close());
  await server.fetch("http://zizq.test/jobs", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(job({ payload: { n: 1 } })),
  });
  const count = async (expr: string) => (await (await server.fetch(`http://zizq.test/jobs/count?filter=${q(expr)}`)).json()) as unknown;
  return { server, started: () => started, count };
}

describe("the jq thread's life", () => {
  it("starts once, on the first filter; after close() filters run on the server's thread and start none", async (ctx) => {
    const { server, started, count } = await countingThreads(ctx);
    expect(started()).toBe(0);
    expect(await count(".n == 1")).toEqual({ count: 1 });
    expect(await count(".n == 2")).toEqual({ count: 0 });
    expect(started()).toBe(1);
    server.close();
    expect(await count(".n == 1")).toEqual({ count: 1 });
    expect(started()).toBe(1);
  });
});

describe("a filter that exhausts jq's memory, on the jq thread", () => {
  it("is a non-match, prints nothing, and the thread that grew to hold it is replaced", async (ctx) => {
    const { started, count } = await countingThreads(ctx);
    const stderr = vi.spyOn(process.stderr, "write");
    expect(await count("def f: [f]; f")).toEqual({ count: 0 });
    expect(started()).toBe(1);
    expect(await count(".n == 1")).toEqual({ count: 1 });
    expect(started()).toBe(2);
    expect(stderr.mock.calls.map(([text]) => String(text)).filter((text) => text.includes("Aborted"))).toEqual([]);
  });
});

describe("a batch expression that never ends, on the jq thread (Pro)", () => {
  it("fail-safe, as the real server has no bound: its enqueue dry run past filterTimeoutMs is 422, and the server keeps serving", async (ctx) => {
    const server = createTestServer({ license: "pro", jqThread: nodeJqThread, filterTimeoutMs: 200 });
    ctx.onTestFinished(() => server.close());
    const post = async (path: string, body: unknown) => {
      const res = await server.fetch(`http://zizq.test${path}`, {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const endless = "until(false; .)";
    const refusal = (name: string) =>
      `batch dry-run: ${name}: still running after 200 ms (the test server's filterTimeoutMs; the real server has no limit)`;

    expect(await post("/jobs", job({ batch: { key: "k", when: endless, fold: "$new" } }))).toEqual({ status: 422, body: { error: refusal("when") } });
    expect(await post("/jobs/bulk", { jobs: [job(), job({ batch: { key: "k", when: "true", fold: endless } })] })).toEqual({
      status: 422,
      body: { error: refusal("fold") },
    });
    // An earlier batch the server refuses for another reason keeps its error first.
    const bulk = await post("/jobs/bulk", {
      jobs: [job({ batch: { key: "a", when: "nope", fold: "$new" } }), job({ batch: { key: "b", when: endless, fold: "$new" } })],
    });
    expect(bulk).toEqual({ status: 422, body: { error: 'batch expression: when: undefined filter "nope"' } });
    const cron = await server.fetch("http://zizq.test/crons/g", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        entries: [
          { name: "fine", expression: "* * * * *", job: job({ batch: { key: "c", when: "true", fold: "$new" } }) },
          { name: "endless", expression: "* * * * *", job: job({ batch: { key: "d", when: "true", fold: endless } }) },
        ],
      }),
    });
    expect(cron.status).toBe(400);
    expect(await cron.json()).toEqual({ error: refusal("fold") });

    expect((await post("/jobs", job({ batch: { key: "k", when: "true", fold: "$existing + $new" }, payload: 1 }))).status).toBe(201);
    expect((await server.fetch("http://zizq.test/jobs/count")).status).toBe(200);
  });
});
