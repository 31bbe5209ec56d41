/**
 * Retries, with a fault-injecting fetch in front of the in-memory server: requests that are
 * safe to repeat (GET, ack, nack, unique enqueues, PUT) are retried on 5xx, network errors and
 * timeouts up to the limit; plain enqueues, 4xx answers, PATCH and DELETE never are.
 */
import { describe, expect, it } from "vitest";
import {
  Client,
  type ClientOptions,
  defineJob,
  ZizqBadRequestError,
  ZizqConnectionError,
  ZizqHttpError,
  ZizqNotFoundError,
  ZizqServerError,
  ZizqTimeoutError,
} from "../../../src/index.ts";
import { createTestServer } from "../../../src/testing/index.ts";
import type { TestServer } from "../../../src/testing/types.ts";
import { within } from "../../support/wait.ts";
import { nextJob, rejection } from "./harness.ts";

type Fault = "500" | "502" | "503" | "504" | "network" | "timeout" | "400" | "429";

interface Faulty {
  server: TestServer;
  client: Client;
  /** Calls per `METHOD /path` (query left out), faults included. */
  calls: Map<string, number>;
  count(method: string, path: string): number;
  /** The next `n` calls matching `method` and `path` (a prefix) fail with `fault`. */
  inject(method: string, path: string, fault: Fault, n: number): void;
  close(): void;
}

function faulty(options: { license?: "free" | "pro"; client?: Partial<ClientOptions> } = {}): Faulty {
  const server = createTestServer({ license: options.license ?? "pro" });
  const calls = new Map<string, number>();
  const faults: { method: string; path: string; fault: Fault; left: number }[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    const key = `${request.method} ${path}`;
    calls.set(key, (calls.get(key) ?? 0) + 1);
    const fault = faults.find((f) => f.left > 0 && f.method === request.method && path.startsWith(f.path));
    if (fault) {
      fault.left--;
      switch (fault.fault) {
        case "network":
          throw new TypeError("fetch failed");
        case "timeout":
          // Never answers (the client's timeout ends the attempt).
          return new Promise<Response>(() => {});
        default:
          return Response.json({ error: `injected ${fault.fault}` }, { status: Number(fault.fault) });
      }
    }
    return server.fetch(request);
  };
  const client = new Client({ url: "http://zizq.test", fetch, timeoutMs: 250, retry: { initialDelayMs: 1, maxDelayMs: 5 }, ...options.client });
  return {
    server,
    client,
    calls,
    count: (method, path) => calls.get(`${method} ${path}`) ?? 0,
    inject: (method, path, fault, n) => {
      faults.push({ method, path, fault, left: n });
    },
    close: () => server.close(),
  };
}

const Plain = defineJob<{ n: number }>({ type: "plain", queue: "q" });
const Unique = defineJob<{ n: number }>({ type: "unique", queue: "q", unique: { key: (payload) => `n-${payload.n}` } });

/** Enqueues a job and takes it on a stream left open, so it stays in flight. */
async function inFlight(f: Faulty, n = 1): Promise<{ ids: string[]; release: () => Promise<void> }> {
  const jobs = await f.client.enqueueBulk(Array.from({ length: n }, (_, i) => Plain.with({ n: i })));
  const reader = (await f.client.take({ prefetch: 0 })).getReader();
  const ids = [];
  for (let i = 0; i < n; i++) ids.push((await nextJob(reader)).id);
  expect(ids).toEqual(jobs.map((job) => job.id));
  return { ids, release: () => reader.cancel() };
}

describe("requests that are safe to repeat are retried", () => {
  it.each(["500", "502", "503", "504", "network", "timeout"] as const)("GET getJob after %s, up to the limit, then succeeds", async (fault) => {
    const f = faulty();
    try {
      const { id } = await f.client.enqueue(Plain, { n: 1 });
      f.inject("GET", `/jobs/${id}`, fault, 2);
      const job = await within(f.client.getJob(id), "getJob()");
      expect(job.id).toBe(id);
      expect(f.count("GET", `/jobs/${id}`)).toBe(3);
    } finally {
      f.close();
    }
  });

  it.each([
    ["500", ZizqServerError],
    ["network", ZizqConnectionError],
    ["timeout", ZizqTimeoutError],
  ] as const)("GET fails with the last error once the limit is used up (%s)", async (fault, Class) => {
    const f = faulty({ client: { retry: { limit: 3, initialDelayMs: 1, maxDelayMs: 5 } } });
    try {
      f.inject("GET", "/queues", fault, 10);
      const error = await within(rejection(f.client.queues()), "queues()");
      expect(error).toBeInstanceOf(Class);
      expect(error).toMatchObject({ request: { method: "GET", path: "/queues" } });
      expect(f.count("GET", "/queues")).toBe(4);
    } finally {
      f.close();
    }
  });

  it("the default limit is 2 retries (3 calls); retry: false sends once", async () => {
    const f = faulty();
    try {
      f.inject("GET", "/health", "503", 10);
      expect(await within(rejection(f.client.health()), "health()")).toBeInstanceOf(ZizqServerError);
      expect(f.count("GET", "/health")).toBe(3);
      const once = new Client({ url: "http://zizq.test", retry: false, fetch: f.client["transport"].fetch });
      expect(await within(rejection(once.health()), "health()")).toBeInstanceOf(ZizqServerError);
      expect(f.count("GET", "/health")).toBe(4);
    } finally {
      f.close();
    }
  });

  it("paged reads retry each page: jobs() iteration, count(), errors()", async () => {
    const f = faulty();
    try {
      await f.client.enqueueBulk([1, 2, 3].map((n) => Plain.with({ n })));
      f.inject("GET", "/jobs", "502", 1);
      f.inject("GET", "/jobs/count", "network", 2);
      expect((await within(f.client.jobs().pageSize(2).toArray(), "jobs().pageSize().toArray()")).map((job) => job.payload)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
      expect(f.count("GET", "/jobs")).toBe(3);
      expect(await within(f.client.jobs().count(), "jobs().count()")).toBe(3);
      expect(f.count("GET", "/jobs/count")).toBe(3);
    } finally {
      f.close();
    }
  });

  it("ack and ackMany are retried, and the jobs end up acked", async () => {
    const f = faulty();
    try {
      const { ids, release } = await inFlight(f, 3);
      f.inject("POST", `/jobs/${ids[0]}/success`, "503", 2);
      await within(f.client.ack(ids[0]!), "ack()");
      expect(f.count("POST", `/jobs/${ids[0]}/success`)).toBe(3);
      f.inject("POST", "/jobs/success", "network", 1);
      f.inject("POST", "/jobs/success", "timeout", 1);
      expect(await within(f.client.ackMany([ids[1]!, ids[2]!]), "ackMany()")).toEqual({ notFound: [] });
      expect(f.count("POST", "/jobs/success")).toBe(3);
      expect(await f.client.jobs().count()).toBe(0);
      await release();
    } finally {
      f.close();
    }
  });

  it("a retried ackMany whose first attempt landed answers the ids as not found (partial success)", async () => {
    const f = faulty();
    try {
      const { ids, release } = await inFlight(f, 1);
      // The server acks, then the answer is lost: the retry finds the job already gone.
      let lost = false;
      const fetch: typeof globalThis.fetch = async (input, init) => {
        const response = await f.server.fetch(new Request(input, init));
        if (!lost) {
          lost = true;
          throw new TypeError("connection reset");
        }
        return response;
      };
      const client = new Client({ url: "http://zizq.test", fetch, retry: { initialDelayMs: 1, maxDelayMs: 5 } });
      expect(await within(client.ackMany(ids), "ackMany()")).toEqual({ notFound: ids });
      await release();
    } finally {
      f.close();
    }
  });

  it("fail (nack) is not retried: a repeat of one that landed could fail the job's next attempt", async () => {
    const f = faulty();
    try {
      const { ids, release } = await inFlight(f, 1);
      f.inject("POST", `/jobs/${ids[0]}/failure`, "500", 1);
      expect(await within(rejection(f.client.fail(ids[0]!, { message: "boom" })), "fail()")).toBeInstanceOf(ZizqServerError);
      expect(f.count("POST", `/jobs/${ids[0]}/failure`)).toBe(1);
      expect((await f.client.getJob(ids[0]!)).status).toBe("in_flight");
      await release();
    } finally {
      f.close();
    }
  });

  it("a retried ack whose first attempt landed resolves: the 404 means the job was acked", async () => {
    const f = faulty();
    try {
      const { ids, release } = await inFlight(f, 1);
      let lost = false;
      const fetch: typeof globalThis.fetch = async (input, init) => {
        const response = await f.server.fetch(input, init);
        if (!lost) {
          lost = true;
          throw new TypeError("connection reset");
        }
        return response;
      };
      const client = new Client({ url: "http://zizq.test", fetch, retry: { initialDelayMs: 1, maxDelayMs: 5 } });
      await within(client.ack(ids[0]!), "ack()");
      expect(await f.client.jobs().count()).toBe(0);
      // Without a retry, a 404 still means the job was not in flight.
      expect(await within(rejection(client.ack(ids[0]!)), "ack()")).toBeInstanceOf(ZizqNotFoundError);
      await release();
    } finally {
      f.close();
    }
  });

  it("unique-key enqueues (enqueue, all-unique enqueueBulk, enqueueRaw with unique_key) are retried, and make one job", async () => {
    const f = faulty();
    try {
      f.inject("POST", "/jobs", "network", 1);
      f.inject("POST", "/jobs", "502", 1);
      const job = await within(f.client.enqueue(Unique, { n: 1 }), "enqueue()");
      expect(job.uniqueKey).toBe("n-1");
      expect(f.count("POST", "/jobs")).toBe(3);

      f.inject("POST", "/jobs/bulk", "timeout", 1);
      const bulk = await within(f.client.enqueueBulk([Unique.with({ n: 2 }), Unique.with({ n: 3 })]), "enqueueBulk()");
      expect(bulk.map((j) => j.uniqueKey)).toEqual(["n-2", "n-3"]);
      expect(f.count("POST", "/jobs/bulk")).toBe(2);

      f.inject("POST", "/jobs", "503", 1);
      const raw = await within(f.client.enqueueRaw({ type: "raw", queue: "q", payload: null, uniqueKey: "raw-1" }), "enqueueRaw()");
      expect(raw.duplicate).toBe(false);
      expect(f.count("POST", "/jobs")).toBe(5);
      expect(await f.client.jobs().count()).toBe(4);
    } finally {
      f.close();
    }
  });

  it("a retried MessagePack request sends the same body again", async () => {
    const f = faulty({ client: { format: "msgpack" } });
    try {
      f.inject("POST", "/jobs", "500", 1);
      const job = await within(f.client.enqueue(Unique, { n: 9 }, { priority: 3 }), "enqueue()");
      expect(job).toMatchObject({ uniqueKey: "n-9", priority: 3 });
      expect(f.count("POST", "/jobs")).toBe(2);
      expect((await f.client.getJob(job.id)).payload).toEqual({ n: 9 });
    } finally {
      f.close();
    }
  });

  it("crons.put (PUT) is retried", async () => {
    const f = faulty();
    try {
      f.inject("PUT", "/crons/g", "500", 2);
      const group = await within(f.client.crons.put("g", { entries: [{ name: "e", expression: "* * * * *", job: Plain.with({ n: 1 }) }] }), "crons.put()");
      expect(group.entries).toHaveLength(1);
      expect(f.count("PUT", "/crons/g")).toBe(3);
    } finally {
      f.close();
    }
  });
});

describe("requests that are not safe to repeat are sent once", () => {
  it.each(["500", "503", "network", "timeout"] as const)("a plain enqueue after %s", async (fault) => {
    const f = faulty();
    try {
      f.inject("POST", "/jobs", fault, 5);
      const error = await within(rejection(f.client.enqueue(Plain, { n: 1 })), "enqueue()");
      expect(error).toMatchObject({ request: { method: "POST", path: "/jobs" } });
      expect(f.count("POST", "/jobs")).toBe(1);
      f.inject("POST", "/jobs/bulk", fault, 5);
      await within(rejection(f.client.enqueueBulk([Unique.with({ n: 1 }), Plain.with({ n: 2 })])), "enqueueBulk()");
      expect(f.count("POST", "/jobs/bulk")).toBe(1);
      f.inject("POST", "/jobs", fault, 5);
      await within(rejection(f.client.enqueueRaw({ type: "raw", queue: "q", payload: null })), "enqueueRaw()");
      expect(f.count("POST", "/jobs")).toBe(2);
    } finally {
      f.close();
    }
  });

  it("a 4xx is never retried, even on a GET or an ack", async () => {
    const f = faulty();
    try {
      expect(await rejection(f.client.getJob("missing"))).toBeInstanceOf(ZizqNotFoundError);
      expect(f.count("GET", "/jobs/missing")).toBe(1);
      expect(await rejection(f.client.ack("missing"))).toBeInstanceOf(ZizqNotFoundError);
      expect(f.count("POST", "/jobs/missing/success")).toBe(1);
      f.inject("GET", "/queues", "400", 5);
      expect(await rejection(f.client.queues())).toBeInstanceOf(ZizqBadRequestError);
      f.inject("GET", "/health", "429", 5);
      expect(await rejection(f.client.health())).toMatchObject({ status: 429 });
      expect(f.count("GET", "/queues")).toBe(1);
      expect(f.count("GET", "/health")).toBe(1);
      f.inject("PUT", "/crons/g", "400", 5);
      expect(await rejection(f.client.crons.put("g", { entries: [] }))).toBeInstanceOf(ZizqBadRequestError);
      expect(f.count("PUT", "/crons/g")).toBe(1);
    } finally {
      f.close();
    }
  });

  it.each(["500", "network", "timeout"] as const)("PATCH (patchJob, updateAll) after %s", async (fault) => {
    const f = faulty();
    try {
      const { id } = await f.client.enqueue(Plain, { n: 1 });
      f.inject("PATCH", "/jobs", fault, 5);
      expect(await within(rejection(f.client.patchJob(id, { priority: 1 })), "patchJob()")).toMatchObject({ request: { method: "PATCH" } });
      expect(f.count("PATCH", `/jobs/${id}`)).toBe(1);
      await within(rejection(f.client.jobs({ queue: "q" }).updateAll({ priority: 1 })), "jobs().updateAll()");
      expect(f.count("PATCH", "/jobs")).toBe(1);
      expect((await f.client.getJob(id)).priority).toBe(32768);
    } finally {
      f.close();
    }
  });

  it.each(["500", "network", "timeout"] as const)("DELETE (deleteJob, deleteAll, crons.delete, crons.deleteAll, crons.deleteEntry) after %s", async (fault) => {
    const f = faulty();
    try {
      const { id } = await f.client.enqueue(Plain, { n: 1 });
      f.inject("DELETE", "/", fault, 50);
      const error = await within(rejection(f.client.deleteJob(id)), "deleteJob()");
      expect(error).toMatchObject({ request: { method: "DELETE", path: `/jobs/${id}` } });
      expect(f.count("DELETE", `/jobs/${id}`)).toBe(1);
      await within(rejection(f.client.jobs().deleteAll()), "jobs().deleteAll()");
      expect(f.count("DELETE", "/jobs")).toBe(1);
      await within(rejection(f.client.crons.delete("g")), "crons.delete()");
      expect(f.count("DELETE", "/crons/g")).toBe(1);
      await within(rejection(f.client.crons.deleteAll()), "crons.deleteAll()");
      expect(f.count("DELETE", "/crons")).toBe(1);
      await within(rejection(f.client.crons.deleteEntry("g", "e")), "crons.deleteEntry()");
      expect(f.count("DELETE", "/crons/g/entries/e")).toBe(1);
      expect(await f.client.jobs().count()).toBe(1);
    } finally {
      f.close();
    }
  });

  it("cron addEntry (POST, not idempotent: a repeat answers 409) is sent once", async () => {
    const f = faulty();
    try {
      f.inject("POST", "/crons/g/entries", "503", 5);
      expect(await within(rejection(f.client.crons.addEntry("g", { name: "e", expression: "* * * * *", job: Plain.with({ n: 1 }) })), "crons.addEntry()")).toBeInstanceOf(
        ZizqServerError,
      );
      expect(f.count("POST", "/crons/g/entries")).toBe(1);
    } finally {
      f.close();
    }
  });

  // DESIGN §4 lists what may be retried (GET, ack, nack, unique enqueue, PUT); the issue says
  // PATCH is never retried. The cron pause/resume calls are PATCHes too.
  it.each(["pause", "resume", "pauseEntry", "resumeEntry"] as const)("cron %s (PATCH) is sent once", async (method) => {
    const f = faulty();
    try {
      await f.client.crons.put("g", { entries: [{ name: "e", expression: "* * * * *", job: Plain.with({ n: 1 }) }] });
      f.inject("PATCH", "/crons/g", "500", 5);
      const call = method === "pause" || method === "resume" ? f.client.crons[method]("g") : f.client.crons[method]("g", "e");
      expect(await within(rejection(call), "the call")).toBeInstanceOf(ZizqHttpError);
      const path = method === "pause" || method === "resume" ? "/crons/g" : "/crons/g/entries/e";
      expect(f.count("PATCH", path)).toBe(1);
    } finally {
      f.close();
    }
  });
});

describe("retry delays are capped", () => {
  it("a 503 with a long Retry-After does not hold a retry past maxDelayMs", async () => {
    const server = createTestServer();
    let calls = 0;
    const fetch: typeof globalThis.fetch = async (input, init) => {
      calls++;
      if (calls === 1) return Response.json({ error: "busy" }, { status: 503, headers: { "retry-after": "3600" } });
      return server.fetch(new Request(input, init));
    };
    const client = new Client({ url: "http://zizq.test", fetch, retry: { initialDelayMs: 1, maxDelayMs: 5 } });
    try {
      // Capped at maxDelayMs (5 ms), the retry is sent at once; uncapped, it waits an hour.
      expect(await within(client.health(), "a GET retried after Retry-After: 3600", 2_000)).toBe("ok");
      expect(calls).toBe(2);
    } finally {
      server.close();
    }
  });
});
