/** `client.jobs(filter).after(id)`: a listing that starts after a job, in either order, across pages. */
import { describe, expect, it } from "vitest";
import { Client } from "../../../src/client/client.ts";
import { ZizqArgumentError } from "../../../src/errors/argument-error.ts";
import { createTestServer } from "../../../src/testing/index.ts";

describe("JobQuery.after", () => {
  it("lists the jobs after the given one in the query's order, keeping its filter and following next links", async () => {
    const server = createTestServer();
    const requests: string[] = [];
    const client = new Client({
      url: "http://zizq.test",
      fetch: (input, init) => {
        const request = new Request(input, init);
        requests.push(new URL(request.url).search);
        return server.fetch(request);
      },
    });
    const ids: string[] = [];
    for (let n = 0; n < 7; n++) ids.push((await client.enqueueRaw({ type: "t", queue: n % 2 === 0 ? "even" : "odd", payload: n })).id);
    const even = [ids[0]!, ids[2]!, ids[4]!, ids[6]!];

    requests.length = 0;
    expect((await client.jobs({ queue: "even" }).after(ids[2]!).pageSize(1).toArray()).map((job) => job.id)).toEqual([ids[4], ids[6]]);
    expect(requests[0]).toBe(`?queue=even&order=asc&limit=1&from=${ids[2]}`);
    expect((await client.jobs({ queue: "even" }).order("desc").after(ids[4]!).toArray()).map((job) => job.id)).toEqual([even[1], even[0]]);
    // A cursor that is not a listed job still bounds the listing.
    expect((await client.jobs({ queue: "even" }).after(ids[3]!).toArray()).map((job) => job.id)).toEqual([ids[4], ids[6]]);
    expect(await client.jobs().after(ids[6]!).toArray()).toEqual([]);
    server.close();
  });

  it("refuses an empty or non-string cursor before any request", async () => {
    const client = new Client({ url: "http://zizq.test", fetch: () => Promise.reject(new Error("no request expected")) });
    await expect(client.jobs().after("").toArray()).rejects.toThrow(ZizqArgumentError);
    await expect(client.jobs().after(7 as never).toArray()).rejects.toThrow('after: expected a job id, got 7');
  });
});
