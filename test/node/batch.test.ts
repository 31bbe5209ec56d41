/** collectBatch end to end: its jq runs in the test server's real jq, over raw HTTP. */
import { afterEach, describe, expect, it } from "vitest";
import { collectBatch } from "../../src/job/collect-batch.ts";
import { ZizqArgumentError } from "../../src/errors/argument-error.ts";
import { createTestServer } from "../../src/testing/index.ts";
import type { TestServer } from "../../src/testing/index.ts";

let server: TestServer;
afterEach(() => server?.close());

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.headers = { "content-type": "application/json" };
    init.body = JSON.stringify(body);
  }
  const response = await server.fetch(new Request(`http://zizq.test${path}`, init));
  return { status: response.status, body: await response.json() };
}

const enqueue = (payload: unknown, batch: object) => call("POST", "/jobs", { type: "digest", queue: "mail", payload, batch });

/** Enqueues each payload in turn; returns the payloads of the jobs they ended up in, by job id. */
async function collect(batch: object, payloads: readonly unknown[]): Promise<unknown[]> {
  const ids: string[] = [];
  for (const payload of payloads) {
    const reply = await enqueue(payload, batch);
    expect(reply.status, JSON.stringify(reply.body)).toBe(reply.body.folded ? 200 : 201);
    if (!ids.includes(reply.body.id)) ids.push(reply.body.id);
  }
  return Promise.all(ids.map(async (id) => (await call("GET", `/jobs/${id}`)).body.payload));
}

describe("collectBatch", () => {
  it("builds the config from the key, the field and max", () => {
    expect(collectBatch({ key: "digest:42", field: "items", max: 3 })).toEqual({
      key: "digest:42",
      when:
        '($existing | .items | if type == "array" then length else error("collectBatch: .items must be an array") end)' +
        ' + ($new | .items | if type == "array" then length else error("collectBatch: .items must be an array") end) <= 3',
      fold: "$existing | .items = .items + ($new | .items)",
    });
  });

  it("seven single items with max 3 give jobs of 3, 3 and 1 items, in order", async () => {
    server = createTestServer({ license: "pro" });
    const batch = collectBatch({ key: "k", field: "items", max: 3 });
    const payloads = [1, 2, 3, 4, 5, 6, 7].map((n) => ({ items: [n] }));
    expect(await collect(batch, payloads)).toEqual([{ items: [1, 2, 3] }, { items: [4, 5, 6] }, { items: [7] }]);
  });

  it("takes several items at once and starts a new job when the next ones would not fit", async () => {
    server = createTestServer({ license: "pro" });
    const batch = collectBatch({ key: "k", field: "items", max: 4 });
    const payloads = [{ items: [1, 2] }, { items: [3, 4] }, { items: [5, 6, 7] }, { items: [8] }, { items: [] }, { items: [9] }];
    expect(await collect(batch, payloads)).toEqual([{ items: [1, 2, 3, 4] }, { items: [5, 6, 7, 8] }, { items: [9] }]);
  });

  it("gives a payload with more than max items a job of its own (nothing is split)", async () => {
    server = createTestServer({ license: "pro" });
    const batch = collectBatch({ key: "k", field: "items", max: 2 });
    const payloads = [{ items: [1] }, { items: [2, 3, 4] }, { items: [5] }, { items: [6] }];
    expect(await collect(batch, payloads)).toEqual([{ items: [1] }, { items: [2, 3, 4] }, { items: [5, 6] }]);
  });

  it("keeps the first payload's other fields", async () => {
    server = createTestServer({ license: "pro" });
    const batch = collectBatch({ key: "k", field: "items", max: 5 });
    const payloads = [
      { to: "a@example.com", items: ["x"] },
      { to: "b@example.com", items: ["y"], extra: true },
    ];
    expect(await collect(batch, payloads)).toEqual([{ to: "a@example.com", items: ["x", "y"] }]);
  });

  it("quotes a field that is not a jq identifier", async () => {
    server = createTestServer({ license: "pro" });
    const field = 'line-items "quoted" \\(not interpolated) ünïcode';
    const batch = collectBatch({ key: "k", field, max: 2 });
    const payloads = [1, 2, 3].map((n) => ({ [field]: [n], other: n }));
    expect(await collect(batch, payloads)).toEqual([
      { [field]: [1, 2], other: 1 },
      { [field]: [3], other: 3 },
    ]);
  });

  it("passes the server's dry run: 201 and the config stored as given", async () => {
    server = createTestServer({ license: "pro" });
    const batch = collectBatch({ key: "k", field: "items", max: 3 });
    const reply = await enqueue({ items: [1] }, batch);
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ folded: false, batch });
  });

  it.for([
    ["a missing field", { other: 1 }],
    ["a string field", { items: "abc" }],
    ["an object field", { items: { a: 1 } }],
    ["a payload that is not an object", [1, 2]],
  ] as const)("fails the dry run (422) on %s, so no batch holds a bad payload", async ([, payload]) => {
    server = createTestServer({ license: "pro" });
    const reply = await enqueue(payload, collectBatch({ key: "k", field: "items", max: 3 }));
    expect(reply.status).toBe(422);
    expect(reply.body.error).toMatch(/^batch dry-run: when: /);
  });

  it.for([
    [{ key: "", field: "items", max: 3 }, "key"],
    [{ key: 1, field: "items", max: 3 }, "key"],
    [{ key: "k", field: "", max: 3 }, "field"],
    [{ key: "k", field: "a\ud800", max: 3 }, "field"],
    [{ key: "k", field: "items", max: 0 }, "max"],
    [{ key: "k", field: "items", max: 2.5 }, "max"],
    [{ key: "k", field: "items", max: Number.POSITIVE_INFINITY }, "max"],
  ] as const)("rejects %o naming %s", ([options, field]) => {
    const error = (() => {
      try {
        collectBatch(options as never);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ZizqArgumentError);
    expect((error as ZizqArgumentError).field).toBe(field);
  });
});
