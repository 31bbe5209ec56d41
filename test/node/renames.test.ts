/**
 * Renamed public names: each new name does what the old one did, and each old name still compiles
 * and works, marked deprecated, for one minor version (CHANGELOG, Unreleased). Type-level cases
 * are checked by `tsc --noEmit -p .`.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import * as hono from "../../adapters/hono.ts";
import { type PushHandlerOptions as HonoPushHandlerOptions, zizqPushHandler, type ZizqPushOptions } from "../../adapters/hono.ts";
import {
  type BackoffInput,
  Client,
  defineJob,
  type DrainOptions,
  type JobPatch,
  type RelayDeliveryOptions,
  type RequestInfo,
  type RetentionInput,
  Router,
  Worker,
  ZizqArgumentError,
  ZizqError,
  type ZizqRequestInfo,
} from "../../src/index.ts";
import * as push from "../../src/push/index.ts";
import { createPushHandler, generateSecret, type PushHandler, type PushHandlerOptions, type PushWaitUntil } from "../../src/push/index.ts";
import { createTestServer } from "../../src/testing/index.ts";

describe("drain limits: maxDuration and maxIdle (Durations) for maxMs and idleMs", () => {
  it("take a Duration under both names", () => {
    expectTypeOf<DrainOptions["maxDuration"]>().toEqualTypeOf<DrainOptions["maxMs"]>();
    expectTypeOf<DrainOptions["maxIdle"]>().toEqualTypeOf<DrainOptions["idleMs"]>();
    expectTypeOf<{ maxDuration: "25s"; maxIdle: 500 }>().toExtend<DrainOptions>();
  });

  it("end a drain as the old names did", async () => {
    const server = createTestServer();
    const client = new Client({ url: "http://zizq.test", fetch: server.fetch });
    try {
      const worker = new Worker({ client, router: new Router(), logger: { debug() {}, info() {}, warn() {}, error() {} } });
      expect((await worker.drain({ maxIdle: 20 })).reason).toBe("idle");
      expect((await worker.drain({ idleMs: 20 })).reason).toBe("idle");
      expect((await worker.drain({ maxDuration: 40, maxIdle: "1m" })).reason).toBe("maxDuration");
      expect((await worker.drain({ maxMs: 40, idleMs: "1m" })).reason).toBe("maxDuration");
    } finally {
      server.close();
    }
  });
});

describe("the relay's delivery timeout: timeout for timeoutMs", () => {
  it("types timeout as a Duration and keeps timeoutMs a number", () => {
    expectTypeOf<{ timeout: "10s" }>().toExtend<Partial<RelayDeliveryOptions>>();
    expectTypeOf<RelayDeliveryOptions["timeoutMs"]>().toEqualTypeOf<number | undefined>();
  });
});

describe("the framework-free push handler: createPushHandler from zizq-edge/push for zizqPushHandler from zizq-edge/hono", () => {
  it("takes the waitUntil context as its second argument", () => {
    expectTypeOf(createPushHandler).returns.toEqualTypeOf<PushHandler>();
    expectTypeOf<PushHandler>().parameters.toEqualTypeOf<[request: Request, ctx?: PushWaitUntil]>();
    expectTypeOf<ZizqPushOptions>().toEqualTypeOf<PushHandlerOptions>();
    expectTypeOf<HonoPushHandlerOptions>().toEqualTypeOf<PushHandlerOptions>();
    // The deprecated one keeps its looser shape, so Workers' (request, env, ctx) still compiles.
    expectTypeOf(zizqPushHandler).parameter(0).toEqualTypeOf<PushHandlerOptions>();
    expectTypeOf<ReturnType<typeof zizqPushHandler>>().toExtend<(request: Request, env: object, ctx: PushWaitUntil) => Promise<Response>>();
  });

  it("both answer a delivery the same way", async () => {
    const secrets = [await generateSecret()];
    const router = new Router();
    const request = () => new Request("http://edge.test/zizq", { method: "PUT" });
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    for (const handler of [createPushHandler({ router, secrets, logger: quiet }), zizqPushHandler({ router, secrets, logger: quiet })]) {
      const response = await handler(request());
      expect(response.status).toBe(405);
      expect(await response.json()).toEqual({ error: "method_not_allowed" });
    }
  });
});

describe("the DOM-safe request info: ZizqRequestInfo for RequestInfo", () => {
  it("RequestInfo is ZizqRequestInfo", () => {
    expectTypeOf<RequestInfo>().toEqualTypeOf<ZizqRequestInfo>();
    const request: RequestInfo = { method: "GET", path: "/health" };
    expectTypeOf(new ZizqError("x", request).request).toEqualTypeOf<ZizqRequestInfo | undefined>();
    expect(new ZizqError("x", request).request).toBe(request);
  });
});

describe("backoff and retention by hand: base, jitter, completed, dead (Durations) for baseMs, jitterMs, completedMs, deadMs", () => {
  it("take a Duration under both names", () => {
    expectTypeOf<{ exponent: 2; base: "10s"; jitter: 500 }>().toExtend<BackoffInput>();
    expectTypeOf<{ exponent: 2; baseMs: "10s"; jitterMs: 500 }>().toExtend<BackoffInput>();
    expectTypeOf<RetentionInput["completed"]>().toEqualTypeOf<RetentionInput["completedMs"]>();
    expectTypeOf<RetentionInput["dead"]>().toEqualTypeOf<RetentionInput["deadMs"]>();
    expectTypeOf<{ retention: { completed: null; deadMs: "1d" } }>().toExtend<JobPatch>();
  });

  it("send the same ms under either name", async () => {
    const server = createTestServer();
    const client = new Client({ url: "http://zizq.test", fetch: server.fetch });
    const Job = defineJob<{ n: number }>({ type: "t", queue: "q" });
    try {
      const current = await client.enqueue(Job, { n: 1 }, { backoff: { exponent: 2, base: "10s", jitter: 500 }, retention: { completed: "1h", dead: "1d" } });
      const deprecated = await client.enqueue(Job, { n: 2 }, { backoff: { exponent: 2, baseMs: "10s", jitterMs: 500 }, retention: { completedMs: "1h", deadMs: "1d" } });
      for (const { id } of [current, deprecated]) {
        const job = await client.getJob(id);
        expect(job.backoff).toEqual({ exponent: 2, baseMs: 10_000, jitterMs: 500 });
        expect(job.retention).toEqual({ completedMs: 3_600_000, deadMs: 86_400_000 });
      }
      const patched = await client.patchJob(current.id, { retention: { completedMs: "2h", dead: null } });
      expect(patched.retention?.completedMs).toBe(7_200_000);
    } finally {
      server.close();
    }
  });

  it("refuse a field under both names, naming the deprecated one", () => {
    const Job = defineJob<{ n: number }>({ type: "t", queue: "q" });
    const both = (options: object) => () => Job.with({ n: 1 }, options as never);
    expect(both({ backoff: { exponent: 2, base: 1, baseMs: 1, jitter: 0 } })).toThrow(ZizqArgumentError);
    expect(both({ backoff: { exponent: 2, base: 1, baseMs: 1, jitter: 0 } })).toThrow(/options\.backoff\.baseMs/);
    expect(both({ retention: { dead: 1, deadMs: 1 } })).toThrow(/options\.retention\.deadMs/);
    expect(() => defineJob({ type: "t", queue: "q", retention: { completed: 1, completedMs: 1 } })).toThrow(/retention\.completedMs/);
  });
});

describe("the push toolkit: zizq-edge/push for its deprecated re-exports from zizq-edge/hono", () => {
  it("re-exports the same values and types", () => {
    const names = [
      "DEFAULT_MAX_BODY_BYTES",
      "DEFAULT_TOLERANCE_SEC",
      "OUTCOME_STATUS",
      "parseEnvelope",
      "REJECT_STATUS",
      "ZizqPushRejectedError",
      "MemoryReplayStore",
      "generateSecret",
      "signDelivery",
      "verifyDelivery",
    ] as const;
    for (const name of names) expect(hono[name], name).toBe(push[name]);
    expectTypeOf<hono.PushHandler>().toEqualTypeOf<push.PushHandler>();
    expectTypeOf<hono.PushOutcomeBody>().toEqualTypeOf<push.PushOutcomeBody>();
    expectTypeOf<hono.ReplayStore>().toEqualTypeOf<push.ReplayStore>();
    expectTypeOf<hono.MemoryReplayStore>().toEqualTypeOf<push.MemoryReplayStore>();
    expectTypeOf<hono.ZizqPushRejectedError>().toEqualTypeOf<push.ZizqPushRejectedError>();
  });
});
