/**
 * The Worker's own rules, in-process against the test server: options checked with named
 * errors, a 4xx on the take request thrown from `run`, reconnects with backoff after failed
 * connects, one run at a time, hooks that throw, and an idle worker's ack leaving at once.
 * Streams over real sockets, faults and shutdown under load are in reliability.test.ts.
 */
import { describe, expect, it } from "vitest";
import { Client, defineJob, type Job, Router, Worker, ZizqArgumentError, ZizqError, ZizqHttpError } from "../../../src/index.ts";
import { createTestServer } from "../../../src/testing/index.ts";
import type { LoggerOption } from "../../../src/utils/logger.ts";
import { EXCHANGE, type Outgoing } from "../../../src/client/exchange.ts";
import { pipelineAt, workerSettings } from "../../../src/worker/worker-options.ts";
import { collectingLogger } from "./harness.ts";

const Noop = defineJob<{ n: number }>({ type: "noop", queue: "q" });

function collecting(): LoggerOption & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (message) => lines.push(message), error: (message) => lines.push(message) };
}

function setup() {
  const server = createTestServer();
  const client = new Client({ url: "http://zizq.test", fetch: server.fetch });
  return { server, client };
}

describe("Worker options", () => {
  const { client } = setup();
  const router = new Router();
  it.each([
    [{ concurrency: 0 }, "concurrency"],
    [{ concurrency: 1.5 }, "concurrency"],
    [{ prefetch: 0 }, "prefetch"],
    [{ jobTimeout: 0 }, "jobTimeout"],
    [{ jobTimeout: "soon" }, "jobTimeout"],
    [{ shutdownTimeout: -1 }, "shutdownTimeout"],
    [{ idleTimeout: 0 }, "idleTimeout"],
    [{ reconnect: { maxDelayMs: -5 } }, "reconnect.maxDelayMs"],
    [{ acks: { pipelineAt: 0 } }, "acks.pipelineAt"],
  ])("refuses %o naming %s", (bad, field) => {
    const attempt = () => new Worker({ client, router, ...(bad as object) });
    expect(attempt).toThrow(ZizqArgumentError);
    expect(attempt).toThrow(expect.objectContaining({ field }));
  });

  it("refuses a missing client or router", () => {
    expect(() => new Worker({ client: {} as Client, router })).toThrow(expect.objectContaining({ field: "client" }));
    expect(() => new Worker({ client, router: {} as Router })).toThrow(expect.objectContaining({ field: "router" }));
  });

  it("refuses bad drain limits before taking anything", async () => {
    const worker = new Worker({ client, router });
    await expect(worker.drain({ maxJobs: 0 })).rejects.toThrow(expect.objectContaining({ field: "maxJobs" }));
    await expect(worker.drain({ idleMs: 0 })).rejects.toThrow(expect.objectContaining({ field: "idleMs" }));
    expect(worker.stats().connections).toBe(0);
  });
});

describe("Worker run", () => {
  it("throws a 4xx on the take request from run, after stopping cleanly", async () => {
    const { server } = setup();
    // A base URL with a wrong path prefix: every request is a 404, which no retry can fix.
    const client = new Client({ url: "http://zizq.test/wrong", fetch: server.fetch });
    const logger = collecting();
    const worker = new Worker({ client, router: new Router(), logger });
    const error = await worker.run().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ZizqHttpError);
    expect((error as ZizqHttpError).status).toBeGreaterThanOrEqual(400);
    expect((error as ZizqHttpError).status).toBeLessThan(500);
    expect(worker.stats().connections).toBe(0);
    expect(worker.stats().state).toBe("idle");
  });

  it("retries a take request that cannot connect, with backoff, until it opens", async () => {
    const { server, client: real } = setup();
    await real.enqueue(Noop, { n: 1 });
    let failures = 3;
    const flaky: typeof fetch = (input, init) => {
      if (String(input).includes("/jobs/take") && failures-- > 0) return Promise.reject(new TypeError("fetch failed"));
      return server.fetch(input, init);
    };
    const client = new Client({ url: "http://zizq.test", fetch: flaky });
    const logger = collecting();
    const handled: number[] = [];
    const router = new Router().route(Noop, (payload) => void handled.push(payload.n));
    const worker = new Worker({ client, router, logger, reconnect: { initialDelayMs: 1, maxDelayMs: 5 } });
    const summary = await worker.drain({ maxIdle: 300 });
    expect(handled).toEqual([1]);
    expect(summary.completed).toBe(1);
    expect(logger.lines.filter((line) => line.startsWith("could not open the take stream"))).toHaveLength(3);
    expect(worker.stats().connections).toBe(1);
  });

  it("runs once at a time, and stop() on an idle worker resolves", async () => {
    const { client } = setup();
    const worker = new Worker({ client, router: new Router(), logger: collecting() });
    await worker.stop();
    const controller = new AbortController();
    const running = worker.run(controller.signal);
    await expect(worker.run()).rejects.toBeInstanceOf(ZizqError);
    await expect(worker.drain()).rejects.toBeInstanceOf(ZizqError);
    controller.abort();
    await running;
    expect(worker.stats().state).toBe("idle");
  });

  it("keeps going when a hook throws, and logs it", async () => {
    const { client } = setup();
    await client.enqueueBulk([Noop.with({ n: 1 }), Noop.with({ n: 2 })]);
    const logger = collecting();
    const throwing = () => {
      throw new Error("hook bug");
    };
    const worker = new Worker({
      client,
      router: new Router().route(Noop, () => {}),
      logger,
      hooks: { onJobStart: throwing, onJobSuccess: throwing, onAckFlush: throwing, onConnect: throwing, onDisconnect: throwing },
    });
    const summary = await worker.drain({ maxIdle: 200 });
    expect(summary).toMatchObject({ processed: 2, completed: 2, failed: 0, reason: "idle" });
    expect(logger.lines).toContain("the onJobStart hook threw");
    expect(logger.lines).toContain("the onAckFlush hook threw");
    expect(await client.jobs({ status: ["ready", "in_flight"] }).count()).toBe(0);
  });

  it("an onConnect hook reading stats() sees the new stream's age, not the time since the process started", async () => {
    const { client } = setup();
    const before = performance.now();
    let age: number | undefined;
    let sinceBefore = 0;
    const worker: Worker = new Worker({
      client,
      router: new Router(),
      logger: collecting(),
      hooks: {
        onConnect: () => {
          age = worker.stats().lastByteAgeMs;
          sinceBefore = performance.now() - before;
        },
      },
    });
    await worker.drain({ maxIdle: 50 });
    expect(age).toBeDefined();
    expect(age).toBeLessThanOrEqual(sinceBefore);
  });

  it("logs a job hook that threw with the job's fields", async () => {
    const { client } = setup();
    const { id } = await client.enqueue(Noop, { n: 1 });
    const logger = collectingLogger();
    const throwing = () => {
      throw new Error("hook bug");
    };
    await new Worker({ client, router: new Router().route(Noop, () => {}), logger, hooks: { onJobStart: throwing, onJobSuccess: throwing } }).drain({ maxIdle: 200 });
    const fields = { jobId: id, jobType: Noop.type, queue: Noop.queue, attempt: 1, error: expect.objectContaining({ message: "hook bug" }) };
    expect(logger.messages).toEqual([
      { level: "warn", message: "the onJobStart hook threw", details: fields },
      { level: "warn", message: "the onJobSuccess hook threw", details: fields },
    ]);
  });

  it("sends an idle worker's ack in the same turn its handler ends, with no timer", async () => {
    const { server } = setup();
    const events: string[] = [];
    const watching: typeof fetch = (input, init) => {
      if (String(input).endsWith("/jobs/success")) events.push("ack");
      return server.fetch(input, init);
    };
    const client = new Client({ url: "http://zizq.test", fetch: watching });
    // Load the ack calls first, as a running worker has: the first use of a client imports them.
    await client.ack("0000000000000000000000000").catch(() => {});
    await client.enqueue(Noop, { n: 1 });
    // A timer set as the handler ends fires after an ack sent from microtasks, before one sent from a timer.
    const router = new Router().route(Noop, () => {
      events.push("handler");
      setTimeout(() => events.push("timer"), 0);
    });
    await new Worker({ client, router, logger: collecting() }).drain({ maxIdle: 200 });
    expect(events).toEqual(["handler", "ack", "timer"]);
  });

  describe("pipelined acks", () => {
    /** `fetch` carrying an Exchange over itself, as `nodeFetch` carries one: a Client over it counts its requests as cheap. */
    const withExchange = (fetch: typeof globalThis.fetch): typeof globalThis.fetch =>
      Object.assign((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init), {
        [EXCHANGE]: (sent: Outgoing) => fetch(sent.url, { method: sent.method, headers: sent.headers, body: sent.body }),
      });

    /**
     * Drains `jobs` through a client whose bulk acks take 20 ms (over an Exchange unless `plainFetch`);
     * answers the most bulk acks out at once and the most ids in one.
     */
    async function acksOut(
      jobs: number,
      options: { concurrency: number; prefetch?: number; acks?: { pipelineAt: number | false } },
      plainFetch = false,
    ): Promise<{ most: number; biggest: number }> {
      const { server } = setup();
      let out = 0;
      let most = 0;
      const slowAcks: typeof fetch = async (input, init) => {
        if (!String(input).endsWith("/jobs/success")) return server.fetch(input, init);
        most = Math.max(most, ++out);
        try {
          await new Promise((resolve) => setTimeout(resolve, 20));
          return await server.fetch(input, init);
        } finally {
          out--;
        }
      };
      const client = new Client({ url: "http://zizq.test", fetch: plainFetch ? slowAcks : withExchange(slowAcks) });
      await client.enqueueBulk(Array.from({ length: jobs }, (_, n) => Noop.with({ n })));
      let biggest = 0;
      const onAckFlush = ({ ids }: { ids: number }) => void (biggest = Math.max(biggest, ids));
      const worker = new Worker({ client, router: new Router().route(Noop, () => {}), logger: collecting(), hooks: { onAckFlush }, ...options });
      const summary = await worker.drain({ maxIdle: 200 });
      expect(summary).toMatchObject({ processed: jobs, completed: jobs, reason: "idle" });
      expect(await client.jobs({ status: ["ready", "in_flight"] }).count()).toBe(0);
      return { most, biggest };
    }

    it("over cheap requests, acks a window of 128 or less in halves of the window, two requests out at once", async () => {
      expect(await acksOut(60, { concurrency: 4 })).toEqual({ most: 2, biggest: 4 });
      expect(await acksOut(400, { concurrency: 200, prefetch: 128 })).toEqual({ most: 2, biggest: 64 });
      expect(await acksOut(60, { concurrency: 4, prefetch: 5 })).toEqual({ most: 2, biggest: 3 });
    });

    it("keeps one request out for a larger window, over a plain fetch, or when acks.pipelineAt is false", async () => {
      expect((await acksOut(400, { concurrency: 200, prefetch: 129 })).most).toBe(1);
      expect((await acksOut(60, { concurrency: 4 }, true)).most).toBe(1);
      expect((await acksOut(60, { concurrency: 4, acks: { pipelineAt: 2 } }, true)).most).toBe(2);
      const unpipelined = await acksOut(60, { concurrency: 4, acks: { pipelineAt: false } });
      expect(unpipelined.most).toBe(1);
      // A burst of the whole window waits for the one request out, then leaves in one.
      expect(unpipelined.biggest).toBeGreaterThan(4);
    });

    it("sets pipelineAt over cheap requests to half the window, rounded up, up to a window of 128, unless acks.pipelineAt is given", () => {
      const router = new Router();
      const cheap = new Client({ url: "http://zizq.test", fetch: withExchange(createTestServer().fetch) });
      const plain = setup().client;
      const at = (prefetch: number, acks?: { pipelineAt: number | false }, client = cheap) => pipelineAt(workerSettings({ client, router, acks }), prefetch);
      expect([1, 2, 5, 20, 128, 129, 256].map((prefetch) => at(prefetch))).toEqual([1, 1, 3, 10, 64, false, false]);
      expect(at(20, undefined, plain)).toBe(false);
      expect(at(20, { pipelineAt: 7 })).toBe(7);
      expect(at(20, { pipelineAt: 7 }, plain)).toBe(7);
      expect(at(20, { pipelineAt: false })).toBe(false);
      expect(at(256, { pipelineAt: 100 })).toBe(100);
    });
  });

  it("does not call a drain idle while its take is still opening or its acks are still out", async () => {
    const { server } = setup();
    // A slow take answer (a cold start) and slow acks (which the server waits for before sending more).
    const slow: typeof fetch = async (input, init) => {
      const path = new URL(String(input)).pathname;
      if (path === "/jobs/take" || path === "/jobs/success") await new Promise((resolve) => setTimeout(resolve, 300));
      return server.fetch(input, init);
    };
    const client = new Client({ url: "http://zizq.test", fetch: slow });
    await client.enqueueBulk(Array.from({ length: 100 }, (_, n) => Noop.with({ n })));
    const worker = new Worker({ client, router: new Router().route(Noop, () => {}), concurrency: 16, prefetch: 32, logger: collecting() });
    const summary = await worker.drain({ maxIdle: 200 });
    expect(summary).toMatchObject({ processed: 100, completed: 100, reason: "idle" });
    expect(await client.jobs({ status: ["ready", "in_flight"] }).count()).toBe(0);
  });

  it("takes any dispatcher; a job it reports settled elsewhere is neither acked nor failed again", async () => {
    const { server } = setup();
    let bulkAcks = 0;
    const counting: typeof fetch = (input, init) => {
      if (String(input).endsWith("/jobs/success")) bulkAcks++;
      return server.fetch(input, init);
    };
    const client = new Client({ url: "http://zizq.test", fetch: counting });
    await client.enqueueBulk([Noop.with({ n: 1 }), Noop.with({ n: 2 })]);
    // A relay-like dispatcher: something else reported each job (here, the dispatcher itself).
    const dispatcher = {
      async dispatch(job: Job<unknown>) {
        if ((job.payload as { n: number }).n === 1) await client.ack(job.id);
        else await client.fail(job.id, { message: "handled elsewhere", kill: true });
        return { kind: "settled", completed: (job.payload as { n: number }).n === 1 } as const;
      },
    };
    const worker = new Worker({ client, router: dispatcher, logger: collecting() });
    const summary = await worker.drain({ maxIdle: 200 });
    expect(summary).toMatchObject({ processed: 2, completed: 1, failed: 1 });
    expect(bulkAcks).toBe(0);
    expect(await client.jobs({ status: "dead" }).count()).toBe(1);
    expect(await client.jobs({ status: ["ready", "in_flight", "scheduled"] }).count()).toBe(0);
  });
});
