/**
 * The calls a producer does not make load on first use, yet the client is a plain object: its
 * members are real methods and classes, so `instanceof`, logging and the compiler see them.
 */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { Budgets, Client, Crons } from "../../../src/index.ts";
import { createTestServer } from "../../../src/testing/index.ts";

describe("lazily loaded calls", () => {
  const client = new Client({ url: "http://zizq.test", fetch: createTestServer({ license: "pro" }).fetch });

  it("client.crons is a Crons, and logs as one", () => {
    expect(client.crons).toBeInstanceOf(Crons);
    expect(inspect(client.crons)).toMatch(/^Crons /);
  });

  it("client.budgets is a Budgets, and logs as one", () => {
    expect(client.budgets).toBeInstanceOf(Budgets);
    expect(inspect(client.budgets)).toMatch(/^Budgets /);
  });

  it("a misspelt method is a compile error and undefined at run time, not a call that fails later", () => {
    // @ts-expect-error there is no `lsit`
    expect(client.crons.lsit).toBeUndefined();
  });

  it("the loaded methods answer", async () => {
    expect(await client.crons.list()).toEqual([]);
    expect(await client.health()).toBe("ok");
    expect(await client.queues()).toEqual([]);
  });

  it("awaiting the crons object does not take it for a promise", async () => {
    expect(await Promise.resolve(client.crons)).toBe(client.crons);
  });
});
