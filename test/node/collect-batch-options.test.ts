/**
 * collectBatch's nested paths, dedup, sorted and derived keys: the configs as vectors, their jq
 * run by the test server's real jq (jq-web) through a Client, and derived keys checked against
 * hashedKey's hash of the payload without the array, and against the Node client's batch keys
 * (computed by the independent reference in test/support/node-hasher-reference.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BatchConfig, Client, collectBatch, defineJob, type JobDefinition, uniqueKey, ZizqArgumentError } from "../../src/index.ts";
import { createTestServer, type TestServer } from "../../src/testing/index.ts";
import { nodeReferenceKey } from "../support/node-hasher-reference.ts";

const err = (payload: string, path: string, then: string) =>
  `(${payload} | ${path} | if type == "array" then ${then} else error(${JSON.stringify(`collectBatch: ${path} must be an array`)}) end)`;

describe("configs (vectors)", () => {
  it.for([
    [
      "a nested path as steps",
      { key: "k", path: ["order", "items"], max: 5 },
      `${err("$existing", ".order.items", "length")} + ${err("$new", ".order.items", "length")} <= 5`,
      "$existing | .order.items = .order.items + ($new | .order.items)",
    ],
    [
      "a nested path as text, with odd keys and an index",
      { key: "k", path: '.a["odd key"][0]', max: 2 },
      `${err("$existing", '.a["odd key"][0]', "length")} + ${err("$new", '.a["odd key"][0]', "length")} <= 2`,
      '$existing | .a["odd key"][0] = .a["odd key"][0] + ($new | .a["odd key"][0])',
    ],
    [
      "dedup counts distinct items and folds with unique",
      { key: "k", path: "order.items", max: 3, dedup: true },
      `(${err("$existing", ".order.items", ".")} + ${err("$new", ".order.items", ".")} | unique | length) <= 3`,
      "$existing | .order.items = (.order.items + ($new | .order.items) | unique)",
    ],
    [
      "sorted folds with sort",
      { key: "k", field: "items", max: 3, sorted: true },
      `${err("$existing", ".items", "length")} + ${err("$new", ".items", "length")} <= 3`,
      "$existing | .items = (.items + ($new | .items) | sort)",
    ],
    [
      "the whole payload as the array",
      { key: "k", path: ".", max: 4, dedup: true, sorted: true },
      `(${err("$existing", ".", ".")} + ${err("$new", ".", ".")} | unique | length) <= 4`,
      "($existing + $new | unique)",
    ],
    [
      "an array path step that is not an identifier is quoted",
      { key: "k", path: ["line-items", 2], max: 1 },
      `${err("$existing", '.["line-items"][2]', "length")} + ${err("$new", '.["line-items"][2]', "length")} <= 1`,
      '$existing | .["line-items"][2] = .["line-items"][2] + ($new | .["line-items"][2])',
    ],
  ] as const)("%s", ([, options, when, fold]) => {
    expect(collectBatch(options)).toEqual({ key: "k", when, fold });
  });
});

let server: TestServer;
let client: Client;
beforeEach(() => {
  server = createTestServer({ license: "pro" });
  client = new Client({ url: "http://zizq.test", fetch: (input, init) => server.fetch(new Request(input, init)) });
});
afterEach(() => server.close());

/** Enqueues each payload; the payloads of the jobs they ended up in, in order. */
async function run<P>(definition: JobDefinition<P>, payloads: readonly P[]): Promise<unknown[]> {
  for (const payload of payloads) await client.enqueue(definition, payload);
  return client.jobs(definition).map((job) => job.payload).toArray();
}

interface Order {
  tenantId: number;
  order: { items: string[]; note?: string };
}

describe("on the test server's jq", () => {
  it("collects a nested array", async () => {
    const Pack = defineJob<Order>({ type: "pack", queue: "q", batch: collectBatch({ key: "k", path: ["order", "items"], max: 3 }) });
    const payloads = ["a", "b", "c", "d"].map((item) => ({ tenantId: 1, order: { items: [item] } }));
    expect(await run(Pack, payloads)).toEqual([
      { tenantId: 1, order: { items: ["a", "b", "c"] } },
      { tenantId: 1, order: { items: ["d"] } },
    ]);
  });

  it("dedup drops repeats (sorting) and counts distinct items toward max", async () => {
    const Pack = defineJob<Order>({ type: "pack", queue: "q", batch: collectBatch({ key: "k", path: "order.items", max: 3, dedup: true }) });
    const payloads = [["c", "a"], ["a"], ["c", "b"], ["b"], ["d"]].map((items) => ({ tenantId: 1, order: { items } }));
    expect(await run(Pack, payloads)).toEqual([
      { tenantId: 1, order: { items: ["a", "b", "c"] } },
      { tenantId: 1, order: { items: ["d"] } },
    ]);
  });

  it("sorted sorts and keeps repeats", async () => {
    const Pack = defineJob<{ items: number[] }>({ type: "pack", queue: "q", batch: collectBatch({ key: "k", field: "items", max: 10, sorted: true }) });
    expect(await run(Pack, [{ items: [3, 1] }, { items: [2, 1] }])).toEqual([{ items: [1, 1, 2, 3] }]);
  });

  it("collects whole-array payloads", async () => {
    const Pack = defineJob<string[]>({ type: "pack", queue: "q", batch: collectBatch({ key: "k", path: ".", max: 3 }) });
    expect(await run(Pack, [["a"], ["b", "c"], ["d"]])).toEqual([["a", "b", "c"], ["d"]]);
  });

  it("a missing nested array fails the dry run (422)", async () => {
    const Pack = defineJob<unknown>({ type: "pack", queue: "q", batch: collectBatch({ key: "k", path: ["order", "items"], max: 3 }) });
    await expect(client.enqueue(Pack, { order: {} })).rejects.toThrow(/batch dry-run/);
  });
});

describe("derived keys", () => {
  it("are <type>: and the hash of the payload without the array: one batch per rest of the payload", async () => {
    const batch = collectBatch({ path: ["order", "items"], max: 10 });
    const Pack = defineJob<Order>({ type: "pack", queue: "q", batch });
    const payloads: Order[] = [
      { tenantId: 1, order: { items: ["a"] } },
      { tenantId: 2, order: { items: ["b"] } },
      { tenantId: 1, order: { items: ["c"] } },
      { tenantId: 1, order: { items: ["d"], note: "x" } },
    ];
    expect(await run(Pack, payloads)).toEqual([
      { tenantId: 1, order: { items: ["a", "c"] } },
      { tenantId: 2, order: { items: ["b"] } },
      { tenantId: 1, order: { items: ["d"], note: "x" } },
    ]);
    const config: BatchConfig = await batch(payloads[0], { type: "pack" });
    expect(config.key).toBe(`pack:${await uniqueKey({ tenantId: 1, order: {} })}`);
    const [job] = await client.jobs(Pack, { payload: { tenantId: 2 } }).toArray();
    expect(job?.batch?.key).toBe(`pack:${await uniqueKey({ tenantId: 2, order: {} })}`);
  });

  it('with hasher: "node" are the Node client\'s batchConfig keys for the same path', async () => {
    const payload = { tenantId: 7, "ünï": [1.5, 1e21], order: { items: ["a"], note: null } };
    const ours = await collectBatch({ path: ".order.items", max: 10, hasher: "node" })(payload, { type: "pack" });
    expect(ours.key).toBe(nodeReferenceKey(payload, { except: [".order.items"], type: "pack" }).key);
    const rust = await collectBatch({ path: ".order.items", max: 10 })(payload, { type: "pack" });
    expect(rust.key).not.toBe(ours.key);
  });
});

describe("arguments", () => {
  it.for([
    [{ key: "k", field: "items", path: ["items"], max: 3 }, "field"],
    [{ key: "k", max: 3 }, "field"],
    [{ key: "k", path: "items!", max: 3 }, "path"],
    [{ key: "k", path: 5, max: 3 }, "path"],
    [{ key: "k", path: ["a", -1], max: 3 }, "path[1]"],
    [{ key: "k", path: ["a", ""], max: 3 }, "path[1]"],
    [{ key: "k", field: "items", max: 3, dedup: "yes" }, "dedup"],
    [{ key: "k", field: "items", max: 3, sorted: 1 }, "sorted"],
    [{ key: "k", field: "items", max: 3, hasher: "node" }, "hasher"],
    [{ field: "items", max: 3, hasher: "python" }, "hasher"],
    [{ key: "k", field: "items", max: 3, limit: 3 }, "options.limit"],
  ] as const)("rejects %o naming %s", ([options, field]) => {
    let error: unknown;
    try {
      collectBatch(options as never);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ZizqArgumentError);
    expect((error as ZizqArgumentError).field).toBe(field);
  });
});
