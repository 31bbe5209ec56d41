/**
 * Retrying dead jobs when a request fails midway or the handler keeps failing: no job is lost and
 * no walk runs on. The faults are injected into the dashboard Client's fetch (session.ts).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Client } from "../../../src/client/client.ts";
import { BASE, type Faults, type Mounted, mount, Session } from "./session.ts";

let mounted: Mounted | undefined;
afterEach(async () => {
  await mounted?.seeded.close();
  mounted = undefined;
});

const enqueues = (request: Request) => request.method === "POST" && new URL(request.url).pathname === "/jobs";
const deletes = (request: Request) => request.method === "DELETE" && new URL(request.url).pathname.startsWith("/jobs/");

/** Enqueues `count` jobs with no retry on queue "flaky" and fails each once: `count` dead jobs. */
async function deadJobs(client: Client, count: number, settings: { uniqueKey?: string; uniqueWhile?: "exists" } = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push((await client.enqueueRaw({ type: "sync_ledger", queue: "flaky", payload: { n: i }, retryLimit: 0, ...settings })).id);
  }
  await killTaken(client, count);
  return ids;
}

/** Takes `count` jobs from "flaky" and fails them: a handler that always throws. */
async function killTaken(client: Client, count: number): Promise<void> {
  const reader = (await client.take({ queues: ["flaky"], prefetch: count })).getReader();
  for (let i = 0; i < count; i++) {
    const { value } = await reader.read();
    await client.fail(value!.id, { message: "ledger offline", errorType: "LedgerError", kill: true });
  }
  await reader.cancel();
}

async function retry(faults: Faults, settings: { uniqueKey?: string; uniqueWhile?: "exists" } = {}) {
  let armed = false;
  mounted = await mount({}, { fail: (request) => armed && (faults.fail?.(request) ?? false) });
  const [id] = await deadJobs(mounted.seeded.client, 1, settings);
  const session = new Session(mounted.app);
  const token = await session.token();
  armed = true;
  const answer = await session.post(`/jobs/${id}/retry`, { _csrf: token });
  const left = await mounted.seeded.client.jobs({ queue: "flaky" }).toArray();
  return { id: id!, answer, left };
}

describe("retry of a dead job when a request fails", () => {
  it("the copy's enqueue fails: the dead job stays", async () => {
    const { id, answer, left } = await retry({ fail: enqueues });
    expect(answer.status).toBe(500);
    expect(left.map((job) => [job.id, job.status])).toEqual([[id, "dead"]]);
  });

  it("the dead job's delete fails: the copy is enqueued, the dead job stays, the page says so", async () => {
    const { id, answer, left } = await retry({ fail: deletes });
    expect(answer.status).toBe(500);
    expect(left.map((job) => job.status)).toEqual(["dead", "ready"]);
    expect(left[0]!.id).toBe(id);
    expect(answer.text).toContain(`job ${id} was enqueued again as ${left[1]!.id}, but the dead job could not be deleted; delete it by hand`);
  });

  it('a key held while the job "exists": the second enqueue is tried again after a failure', async () => {
    let failures = 0;
    const settings = { uniqueKey: "ledger:1", uniqueWhile: "exists" as const };
    const { id, answer, left } = await retry({ fail: (request) => deletes(request) === false && enqueues(request) && failures++ === 1 }, settings);
    expect(answer.status).toBe(303);
    expect(failures).toBe(3);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ status: "ready", uniqueKey: "ledger:1", payload: { n: 0 } });
    expect(left[0]!.id).not.toBe(id);
  });

  it('a key held while the job "exists" and every second enqueue fails: the page shows the request that recreates it', async () => {
    let enqueued = 0;
    const settings = { uniqueKey: "ledger:1", uniqueWhile: "exists" as const };
    const { id, answer, left } = await retry({ fail: (request) => enqueues(request) && ++enqueued > 1 }, settings);
    expect(left).toEqual([]);
    expect(answer.status).toBe(500);
    expect(answer.text).toContain(`job ${id} was deleted for its retry, but its copy could not be enqueued: POST /jobs: could not reach the Zizq server (fetch failed)`);
    const shown = JSON.parse(/<pre>([^<]*)<\/pre>/.exec(answer.text)![1]!.replace(/&quot;/g, '"'));
    expect(shown).toEqual({ type: "sync_ledger", queue: "flaky", payload: { n: 0 }, priority: 32768, retryLimit: 0, uniqueKey: "ledger:1", uniqueWhile: "exists" });
    // The request on the page recreates the job.
    await mounted!.seeded.client.enqueueRaw(shown);
    expect(await mounted!.seeded.client.jobs({ queue: "flaky", status: "ready" }).count()).toBe(1);
  });
});

describe("bulk retry of dead jobs while the handler still fails", () => {
  it("retries the jobs confirmed, once each, and stops: the copies that die are not retried in turn", async () => {
    const copies: string[] = [];
    mounted = await mount(
      {},
      {
        // Each copy is taken and dies at once, before the walk reads its next page.
        after: async (request, response) => {
          if (!enqueues(request) || copies.length >= 2_000) return;
          copies.push(((await response.json()) as { id: string }).id);
          await killTaken(mounted!.seeded.client, 1);
        },
      },
    );
    const dead = await deadJobs(mounted.seeded.client, 510);
    const session = new Session(mounted.app);
    const token = await session.token();
    expect((await session.get("/bulk?action=retry&queue=flaky")).text).toContain("<b>510</b> jobs now.");
    const done = await session.post("/bulk", { _csrf: token, action: "retry", confirm: "yes", count: "510", queue: "flaky" });
    expect(done.location).toBe(`${BASE}/jobs?queue=flaky&notice=bulk&n_action=retry&n_count=510`);
    expect(copies).toHaveLength(510);
    const left = await mounted.seeded.client.jobs({ queue: "flaky" }).toArray();
    expect(left.map((job) => job.id).sort()).toEqual([...copies].sort());
    expect(left.every((job) => job.status === "dead" && !dead.includes(job.id))).toBe(true);
  });
});
