/**
 * `zizq-edge/cloudflare` inside workerd: the exported handler's `scheduled` drain against the test
 * server on a loopback port (global setup), its fetch routing, and `clientFromEnv` with plain
 * variables, an mTLS-style binding and a real service binding. Each test drains its own queue,
 * since test files share that server.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import {
  clientFromEnv,
  DEFAULT_DRAIN_MS,
  type DrainSummary,
  type FetcherBinding,
  type ScheduledInfo,
  zizqWorker,
  type ZizqWorkerOptions,
} from "../../adapters/cloudflare.ts";
import { Client, defineJob, Router, ZizqArgumentError, ZizqHttpError, ZizqNotFoundError } from "../../src/index.ts";
import { sleep } from "../support/wait.ts";
import { serverState } from "./server-state.ts";
import { tolerateCancelledReads } from "./workerd-quirks.ts";

tolerateCancelledReads();

interface Env {
  ZIZQ_URL: string;
}

const env: Env = { ZIZQ_URL: inject("zizqUrl") };
const client = new Client({ url: inject("zizqUrl") });
/** A job type on a queue of its own, with `count` jobs waiting. */
async function seed(count: number) {
  const id = crypto.randomUUID();
  const Job = defineJob<{ n: number }>({ type: `task-${id}`, queue: `cf-${id}` });
  await client.enqueueBulk(Array.from({ length: count }, (_, n) => Job.with({ n })));
  return Job;
}

/** Fires `scheduled` as a Cron Trigger would; resolves with the summary and the wall time. */
async function fire(options: Omit<ZizqWorkerOptions<Env>, "client">, cron = "* * * * *") {
  let summary: DrainSummary | undefined;
  const handler = zizqWorker<Env>({ client: (e) => clientFromEnv(e), onDrain: (s) => void (summary = s), ...options });
  const ctx = createExecutionContext();
  const started = performance.now();
  await handler.scheduled(createScheduledController({ cron, scheduledTime: Date.now() }), env, ctx);
  await waitOnExecutionContext(ctx);
  return { summary: summary!, elapsed: performance.now() - started };
}

const left = (queue: string) => serverState(client, queue);

describe("scheduled", () => {
  it("drains within its budget: stops taking in time, finishes and acks what runs, hands nothing back in flight", async () => {
    const Job = await seed(60);
    const router = new Router().route(Job, () => sleep(50));
    const maxDuration = 1_000;
    const { summary, elapsed } = await fire({ router, drain: { maxDuration, concurrency: 2, queues: [Job.queue] } });

    expect(summary.reason).toBe("maxDuration");
    expect(summary.failed).toBe(0);
    expect(summary.processed).toBeGreaterThanOrEqual(10); // about (1000 - 250) / 50 × 2 = 30
    expect(summary.processed).toBeLessThan(60);
    // The drain stops taking at 750 ms and gives handlers until 875 ms; acks land well before 1 s.
    expect(summary.durationMs).toBeLessThanOrEqual(maxDuration);
    expect(elapsed).toBeLessThan(maxDuration + 250);
    expect(await left(Job.queue)).toEqual({ ready: 60 - summary.processed, inFlight: 0, scheduled: 0, dead: 0, streams: 0 });
  });

  it("stops at maxJobs and when idle", async () => {
    const Job = await seed(30);
    const router = new Router().route(Job, async () => undefined);
    const first = await fire({ router, drain: { maxJobs: 20, queues: [Job.queue] } });
    expect(first.summary).toMatchObject({ processed: 20, completed: 20, reason: "maxJobs" });
    expect(await left(Job.queue)).toEqual({ ready: 10, inFlight: 0, scheduled: 0, dead: 0, streams: 0 });

    const second = await fire({ router, drain: { idleMs: 200, queues: [Job.queue] } });
    expect(second.summary).toMatchObject({ processed: 10, completed: 10, reason: "idle" });
    expect(second.elapsed).toBeLessThan(DEFAULT_DRAIN_MS);
    expect(await left(Job.queue)).toEqual({ ready: 0, inFlight: 0, scheduled: 0, dead: 0, streams: 0 });
  });

  it("keeps one bulk ack out at a time (each is a subrequest) unless the drain's acks pipeline them", async () => {
    // Pipelining is the default only over a client with cheap requests (nodeClient), which workerd has not.
    /** The most bulk acks out at once in a drain of 40 jobs whose acks take 20 ms each. */
    async function mostAcksOut(acks?: { pipelineAt: number }): Promise<number> {
      const Job = await seed(40);
      let out = 0;
      let most = 0;
      const slowAcks: typeof fetch = async (input, init) => {
        if (!String(input).endsWith("/jobs/success")) return fetch(input, init);
        most = Math.max(most, ++out);
        try {
          await sleep(20);
          return await fetch(input, init);
        } finally {
          out--;
        }
      };
      const handler = zizqWorker<Env>({
        client: (e) => new Client({ url: e.ZIZQ_URL, fetch: slowAcks }),
        router: new Router().route(Job, async () => undefined),
        drain: { idleMs: 200, concurrency: 4, queues: [Job.queue], acks },
        onDrain: (summary) => void expect(summary).toMatchObject({ processed: 40, completed: 40 }),
      });
      const ctx = createExecutionContext();
      await handler.scheduled(createScheduledController({ cron: "* * * * *", scheduledTime: Date.now() }), env, ctx);
      await waitOnExecutionContext(ctx);
      expect(await left(Job.queue)).toEqual({ ready: 0, inFlight: 0, scheduled: 0, dead: 0, streams: 0 });
      return most;
    }
    expect(await mostAcksOut()).toBe(1);
    expect(await mostAcksOut({ pipelineAt: 4 })).toBe(2);
  });

  it("chooses the drain per Cron Trigger", async () => {
    const [Hourly, Minutely] = [await seed(3), await seed(3)];
    const router = new Router().route(Hourly, async () => undefined).route(Minutely, async () => undefined);
    const drain = (controller: ScheduledInfo) => ({ idleMs: 200, queues: [controller.cron === "0 * * * *" ? Hourly.queue : Minutely.queue] });
    expect((await fire({ router, drain }, "0 * * * *")).summary.processed).toBe(3);
    expect((await left(Hourly.queue)).ready).toBe(0);
    expect((await left(Minutely.queue)).ready).toBe(3);
  });

  it("rejects when the server refuses the take (the invocation fails and shows in the logs)", async () => {
    const handler = zizqWorker<Env>({ client: (e) => clientFromEnv(e), router: new Router() });
    const ctx = createExecutionContext();
    const controller = createScheduledController({ cron: "* * * * *", scheduledTime: Date.now() });
    const error: unknown = await handler.scheduled(controller, { ZIZQ_URL: `${inject("zizqUrl")}/elsewhere` }, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZizqHttpError);
    expect((error as ZizqHttpError).status).toBeGreaterThanOrEqual(400);
    expect((error as ZizqHttpError).status).toBeLessThan(500);
    // The same rejection reaches the runtime through waitUntil.
    await expect(waitOnExecutionContext(ctx)).rejects.toBe(error);
  });
});

describe("fetch", () => {
  const push = (request: Request, _env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }) => {
    ctx.waitUntil(Promise.resolve());
    return new Response(`push ${new URL(request.url).pathname}`);
  };
  const call = async (handler: ReturnType<typeof zizqWorker<Env>>, path: string) => {
    const ctx = createExecutionContext();
    const response = await handler.fetch(new Request(`http://worker.test${path}`, { method: "POST" }), env, ctx);
    await waitOnExecutionContext(ctx);
    return `${response.status} ${await response.text()}`;
  };

  it("answers 404 without push or fetch", async () => {
    expect(await call(zizqWorker<Env>({ client: (e) => clientFromEnv(e), router: new Router() }), "/")).toBe("404 Not Found");
  });

  it("hands every request to push, or only those to pushPath, and the rest to fetch", async () => {
    const fetch = () => new Response("app");
    const all = zizqWorker<Env>({ client: (e) => clientFromEnv(e), router: new Router(), push });
    expect(await call(all, "/anything")).toBe("200 push /anything");
    const routed = zizqWorker<Env>({ client: (e) => clientFromEnv(e), router: new Router(), push, pushPath: "/zizq", fetch });
    expect(await call(routed, "/zizq")).toBe("200 push /zizq");
    expect(await call(routed, "/zizq/other")).toBe("200 app");
  });
});

describe("clientFromEnv", () => {
  const Note = defineJob<{ text: string }>({ type: "note", queue: `cf-${crypto.randomUUID()}` });

  it("names ZIZQ_URL when the env lacks it or it is not a URL", () => {
    expect(() => clientFromEnv({})).toThrow(ZizqArgumentError);
    expect(() => clientFromEnv({})).toThrow(/^ZIZQ_URL: missing from the Worker's env; set it under \[vars\] in wrangler.toml/);
    expect(() => clientFromEnv({ ZIZQ_URL: 42 })).toThrow("ZIZQ_URL: expected an http:// or https:// URL, got a number");
    expect(() => clientFromEnv({ ZIZQ_URL: "zizq:7890" })).toThrow(expect.objectContaining({ field: "ZIZQ_URL" }));
  });

  it("names a binding that is missing or has no fetch", () => {
    expect(() => clientFromEnv(env, { binding: "ZIZQ_SERVICE" })).toThrow(/^ZIZQ_SERVICE: expected an mTLS certificate or service binding named ZIZQ_SERVICE/);
    expect(() => clientFromEnv({ ...env, ZIZQ_MTLS: "cert" })).toThrow(expect.objectContaining({ field: "ZIZQ_MTLS" }));
  });

  it("sends through ZIZQ_MTLS when the env has it, calling fetch on the binding", async () => {
    // Shaped like a certificate binding: a method that needs its own `this`.
    class CertificateBinding implements FetcherBinding {
      readonly #fetch = globalThis.fetch.bind(globalThis);
      urls: string[] = [];
      fetch(input: Request | string | URL, init?: RequestInit) {
        this.urls.push(String(input instanceof Request ? input.url : input));
        return this.#fetch(input, init);
      }
    }
    const ZIZQ_MTLS = new CertificateBinding();
    const job = await clientFromEnv({ ...env, ZIZQ_MTLS }).enqueue(Note, { text: "hi" });
    expect(ZIZQ_MTLS.urls).toEqual([`${inject("zizqUrl")}/jobs`]);
    await client.deleteJob(job.id);
  });

  it("sends through a service binding", async () => {
    // `exports.default` is a loopback service binding to this project's main Worker, which serves
    // an in-memory Zizq test server: a Zizq reached through a service binding, as in production.
    const service = clientFromEnv({ ZIZQ_URL: "http://zizq.internal", ZIZQ: exports.default }, { binding: "ZIZQ" });
    const job = await service.enqueue(Note, { text: "through the binding" });
    expect(await service.getJob(job.id)).toMatchObject({ queue: Note.queue, payload: { text: "through the binding" } });
    await expect(client.getJob(job.id)).rejects.toBeInstanceOf(ZizqNotFoundError);
  });
});
