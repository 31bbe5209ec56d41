/**
 * The push relay end to end over real sockets: the test Zizq server on a port, the relay (a Worker
 * over `fetch`), and a Hono push endpoint on another port.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { serve, type ServerHandle } from "../../../adapters/node.ts";
import type { Client } from "../../../src/client/client.ts";
import { createRelay } from "../../../src/relay/relay.ts";
import {
  endpointApp,
  endpointRouter,
  enqueueMix,
  generateSecret,
  Ok,
  QUEUE,
  recordingLogger,
  startZizq,
  type Zizq,
} from "./harness.ts";
import { eventually } from "../../support/wait.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function started(): Promise<Zizq> {
  const zizq = await startZizq();
  cleanups.push(() => zizq.close());
  return zizq;
}

async function endpoint(options: Parameters<typeof endpointApp>[0], port = 0): Promise<ServerHandle> {
  const handle = await serve(endpointApp(options), { port });
  cleanups.push(() => handle.close());
  return handle;
}

function runRelay(client: Client, url: string, secret: string | string[], extra: Partial<Parameters<typeof createRelay>[0]> = {}) {
  const logger = recordingLogger();
  const relay = createRelay({ client, endpoint: url, secret, concurrency: 16, queues: [QUEUE], logger, timeoutMs: 5_000, ...extra });
  const stop = new AbortController();
  const running = relay.run(stop.signal);
  cleanups.push(async () => {
    stop.abort();
    await running;
  });
  return { relay, logger, running, stop };
}

async function statusCounts(client: Client) {
  const count = (status: "completed" | "dead" | "ready" | "scheduled" | "in_flight") =>
    client.jobs({ queue: QUEUE, status }).count();
  return { completed: await count("completed"), dead: await count("dead") };
}

async function allCounts(client: Client) {
  const counts: Record<string, number> = {};
  for (const status of ["ready", "scheduled", "in_flight", "completed", "dead"] as const) {
    counts[status] = await client.jobs({ queue: QUEUE, status }).count();
  }
  return counts;
}

async function expectFinalStates(client: Client, expected: { completed: number; dead: number }) {
  await eventually(
    async () => {
      const counts = await statusCounts(client);
      return counts.completed + counts.dead === expected.completed + expected.dead;
    },
    async () => `every job to reach completed or dead (now ${JSON.stringify(await allCounts(client))})`,
    20_000,
    100,
  );
  expect(await statusCounts(client)).toEqual(expected);
  // The kills died on their first attempt, with the endpoint's reason.
  const dead = await client.jobs({ queue: QUEUE, status: "dead" }).toArray();
  const byType = (type: string) => dead.filter((job) => job.type === type);
  expect(byType("doomed").every((job) => job.attempts === 1)).toBe(true);
  expect(byType("always").every((job) => job.attempts === 3)).toBe(true);
  const invalid = dead.filter((job) => job.type === "ok");
  expect(invalid.length).toBe(expected.dead / 4);
  expect(invalid.every((job) => job.attempts === 1)).toBe(true);
  const [doomed] = byType("doomed");
  const errors = await client.errors(doomed!.id).toArray();
  expect(errors[0]?.message).toBe("doomed");
  expect(errors[0]?.errorType).toBe("NonRetryableError");
  const [bad] = invalid;
  expect((await client.errors(bad!.id).toArray())[0]?.errorType).toBe("ZizqValidationError");
}

describe("relay -> endpoint (Node)", () => {
  it("500 jobs end in the right states when the relay reports the outcomes", { timeout: 60_000 }, async () => {
    const zizq = await started();
    const secret = generateSecret();
    const push = await endpoint({ secret, router: endpointRouter() });
    const expected = await enqueueMix(zizq.client, 500);
    const { relay, logger } = runRelay(zizq.client, `${push.url}/push`, secret);
    await expectFinalStates(zizq.client, expected);
    expect(logger.errors).toEqual([]);
    expect(relay.stats().completed).toBe(expected.completed);
  });

  it("500 jobs end in the right states when the endpoint holds a Client and settles them itself", { timeout: 60_000 }, async () => {
    const zizq = await started();
    const secret = generateSecret();
    const push = await endpoint({ secret, router: endpointRouter(), client: zizq.client });
    const expected = await enqueueMix(zizq.client, 500);
    const { relay, logger } = runRelay(zizq.client, `${push.url}/push`, secret);
    await expectFinalStates(zizq.client, expected);
    expect(logger.errors).toEqual([]);
    // Nothing was acked by the relay: every outcome was the endpoint's.
    expect(relay.stats().ackRequests).toBe(0);
    expect(relay.delivery.stats.settledByEndpoint).toBe(relay.delivery.stats.delivered);
  });

  it("signs with every secret during a rotation; the endpoint accepts either", { timeout: 30_000 }, async () => {
    const zizq = await started();
    const [old, next] = [generateSecret(), generateSecret()];
    const push = await endpoint({ secret: [next], router: endpointRouter() });
    await zizq.client.enqueueBulk(Array.from({ length: 20 }, (_, i) => Ok.with({ n: i })));
    const { logger } = runRelay(zizq.client, `${push.url}/push`, [old, next]);
    await eventually(async () => (await statusCounts(zizq.client)).completed === 20, "20 completed", 10_000, 100);
    expect(logger.errors).toEqual([]);
  });

  it("a wrong secret is logged loudly, pauses deliveries and retries later instead of hot-looping", { timeout: 30_000 }, async () => {
    const zizq = await started();
    const push = await endpoint({ secret: generateSecret(), router: endpointRouter() });
    await zizq.client.enqueueBulk(Array.from({ length: 50 }, (_, i) => Ok.with({ n: i })));
    let requests = 0;
    const counting: typeof fetch = (input, init) => {
      requests++;
      return fetch(input, init);
    };
    const { relay, logger } = runRelay(zizq.client, `${push.url}/push`, generateSecret(), {
      fetch: counting,
      unauthorizedPause: 2_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // The first wave (one per slot) got its 401; then everyone waits out the pause.
    expect(requests).toBeLessThanOrEqual(16);
    expect(logger.errors.length).toBe(1);
    expect(relay.delivery.stats.unauthorized).toBe(requests);
    expect(logger.errors[0]).toMatch(/401.*secret.*clock/s);
    const jobs = await zizq.client.jobs({ queue: QUEUE }).toArray();
    const failed = jobs.filter((job) => job.attempts > 0);
    expect(failed.length).toBeGreaterThan(0);
    // Each refused job comes back no sooner than the pause.
    expect(failed.every((job) => job.status !== "completed")).toBe(true);
    const [first] = failed;
    const [record] = await zizq.client.errors(first!.id).toArray();
    expect(record?.errorType).toBe("PushUnauthorizedError");
  });

  it("killing the endpoint mid-run loses no job: undelivered ones are nacked and complete once it is back", { timeout: 60_000 }, async () => {
    const zizq = await started();
    const secret = generateSecret();
    const options = { secret, router: endpointRouter({ delayMs: 2 }) };
    let push = await endpoint(options);
    const port = push.port;
    await zizq.client.enqueueBulk(Array.from({ length: 500 }, (_, i) => Ok.with({ n: i })));
    const { relay, logger } = runRelay(zizq.client, `${push.url}/push`, secret, { concurrency: 8 });
    await eventually(async () => (await statusCounts(zizq.client)).completed >= 100, "100 completed", 10_000, 100);
    await push.close();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const down = await statusCounts(zizq.client);
    expect(down.completed).toBeLessThan(500);
    push = await endpoint(options, port);
    await eventually(async () => (await statusCounts(zizq.client)).completed === 500, "all 500 completed", 30_000, 100);
    expect(await statusCounts(zizq.client)).toEqual({ completed: 500, dead: 0 });
    const retried = (await zizq.client.jobs({ queue: QUEUE, status: "completed" }).toArray()).filter((job) => job.attempts > 0);
    expect(retried.length).toBeGreaterThan(0);
    const [first] = retried;
    const [record] = await zizq.client.errors(first!.id).toArray();
    expect(record?.errorType).toMatch(/^Push(Delivery|Timeout)Error$/);
    expect(relay.delivery.stats.deliveryFailures).toBeGreaterThan(0);
    expect(logger.errors).toEqual([]);
  });
});


/** The endpoint in workerd: the same Hono app, bundled for the `workerd` condition, on a real port through Miniflare. */
async function workerdEndpoint(bindings: Record<string, string>): Promise<string> {
  const { rolldown } = await import("rolldown");
  const build = await rolldown({
    input: fileURLToPath(new URL("./workerd-endpoint.ts", import.meta.url)),
    platform: "browser",
    resolve: { conditionNames: ["workerd", "worker", "browser", "import", "default"] },
    logLevel: "silent",
  });
  const { output } = await build.generate({ format: "esm", codeSplitting: false });
  await build.close();
  const { Miniflare } = await import("miniflare");
  const mf = new Miniflare({
    modules: true,
    script: output[0].code,
    compatibilityDate: "2025-09-01",
    host: "127.0.0.1",
    port: 0,
    bindings,
  });
  const url = await mf.ready;
  cleanups.push(() => mf.dispose());
  return new URL("/push", url).href;
}

describe("relay -> endpoint (workerd, Miniflare)", () => {
  it("500 jobs end in the right states with the relay reporting", { timeout: 90_000 }, async () => {
    const zizq = await started();
    const secret = generateSecret();
    const url = await workerdEndpoint({ PUSH_SECRET: secret });
    const expected = await enqueueMix(zizq.client, 500);
    const { logger } = runRelay(zizq.client, url, secret);
    await expectFinalStates(zizq.client, expected);
    expect(logger.errors).toEqual([]);
  });

  it("500 jobs end in the right states with the endpoint settling through its own Client", { timeout: 90_000 }, async () => {
    const zizq = await started();
    const secret = generateSecret();
    const url = await workerdEndpoint({ PUSH_SECRET: secret, ZIZQ_URL: zizq.handle.url });
    const expected = await enqueueMix(zizq.client, 500);
    const { relay, logger } = runRelay(zizq.client, url, secret);
    await expectFinalStates(zizq.client, expected);
    expect(logger.errors).toEqual([]);
    expect(relay.stats().ackRequests).toBe(0);
  });

  it("500 jobs end in the right states with the endpoint settling through a Client, one endpoint per request", { timeout: 90_000 }, async () => {
    const zizq = await started();
    const secret = generateSecret();
    const url = await workerdEndpoint({ PUSH_SECRET: secret, ZIZQ_URL: zizq.handle.url, PER_REQUEST: "1" });
    const expected = await enqueueMix(zizq.client, 500);
    const { relay, logger } = runRelay(zizq.client, url, secret);
    await expectFinalStates(zizq.client, expected);
    expect(logger.errors).toEqual([]);
    expect(relay.stats().ackRequests).toBe(0);
  });
});

/** The endpoint in Bun: a child process running bun-endpoint.ts. */
async function bunEndpoint(env: Record<string, string>): Promise<string> {
  const bun = fileURLToPath(new URL("../../../node_modules/.bin/bun", import.meta.url));
  const child = spawn(bun, [fileURLToPath(new URL("./bun-endpoint.ts", import.meta.url))], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  cleanups.push(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill();
    await exited;
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bun endpoint did not start: ${output}`)), 15_000);
    child.stderr.on("data", (chunk) => (output += chunk));
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const match = /listening (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child.once("exit", (code) => reject(new Error(`bun endpoint exited with ${code}: ${output}`)));
  });
  return `${url}/push`;
}

describe("relay -> endpoint (Bun, child process)", () => {
  for (const settles of [false, true]) {
    it(`500 jobs end in the right states ${settles ? "with the endpoint settling through its own Client" : "with the relay reporting"}`, { timeout: 90_000 }, async () => {
      const zizq = await started();
      const secret = generateSecret();
      const url = await bunEndpoint({ PUSH_SECRET: secret, ...(settles ? { ZIZQ_URL: zizq.handle.url } : {}) });
      const expected = await enqueueMix(zizq.client, 500);
      const { relay, logger } = runRelay(zizq.client, url, secret);
      await expectFinalStates(zizq.client, expected);
      expect(logger.errors).toEqual([]);
      if (settles) expect(relay.stats().ackRequests).toBe(0);
    });
  }
});
