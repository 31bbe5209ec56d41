/**
 * Renamed public names: each new name does what the old one did, and each old name still compiles
 * and works, marked deprecated, for one minor version (CHANGELOG, Unreleased). Type-level cases
 * are checked by `tsc --noEmit -p .`.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { type PushHandlerOptions as HonoPushHandlerOptions, zizqPushHandler, type ZizqPushOptions } from "../../adapters/hono.ts";
import { Client, type DrainOptions, type RelayDeliveryOptions, Router, Worker } from "../../src/index.ts";
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
      expect((await worker.drain({ maxDuration: 40, maxIdle: "1m" })).reason).toBe("maxMs");
      expect((await worker.drain({ maxMs: 40, idleMs: "1m" })).reason).toBe("maxMs");
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
