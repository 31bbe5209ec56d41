/** healthHandler: liveness and readiness from worker.stats(), served on a real port by the Node adapter's serve. */
import { afterEach, describe, expect, it } from "vitest";
import { serve, type ServerHandle } from "../../../adapters/node.ts";
import { Client, defineJob, healthHandler, Router, Worker, type WorkerStats, ZizqArgumentError } from "../../../src/index.ts";
import { type Served, serveTestServer } from "./harness.ts";

const quiet = { warn() {}, error() {}, info() {}, debug() {} };
const base: WorkerStats = {
  state: "running", connected: true, lastByteAgeMs: 100, connections: 1, taken: 0, running: 0, buffered: 0,
  completed: 0, failed: 0, acksPending: 0, ackRequests: 0, badFrames: 0,
};
const probe = async (handler: (request: Request) => Response, path: string) => {
  const response = handler(new Request(`http://health.test${path}`));
  return [response.status, ((await response.json()) as { reason?: string }).reason] as const;
};

let served: Served | undefined;
let handle: ServerHandle | undefined;
afterEach(async () => {
  await handle?.close();
  await served?.close();
  served = handle = undefined;
});

describe("healthHandler", () => {
  it("judges liveness and readiness from the stats", async () => {
    const cases: [Partial<WorkerStats>, [number, string | undefined], [number, string | undefined]][] = [
      [{}, [200, undefined], [200, undefined]],
      [{ state: "idle", connected: false, lastByteAgeMs: undefined }, [503, "the worker is not running"], [503, "the worker is idle"]],
      [{ state: "stopping" }, [200, undefined], [503, "the worker is stopping"]],
      // A Zizq outage: not ready, still alive (it reconnects by itself).
      [{ connected: false, lastByteAgeMs: undefined }, [200, undefined], [503, "no take stream is open"]],
      [{ lastByteAgeMs: 20_000 }, [200, undefined], [503, "the take stream has been silent for 20000 ms"]],
      [{ lastByteAgeMs: 50_000 }, [503, "the take stream has been silent for 50000 ms"], [503, "the take stream has been silent for 50000 ms"]],
      [{ acksPending: 10_001 }, [200, undefined], [503, "10001 acks are waiting to land"]],
    ];
    for (const [stats, live, ready] of cases) {
      const handler = healthHandler({ stats: () => ({ ...base, ...stats }) });
      expect([await probe(handler, "/livez"), await probe(handler, "/readyz")], JSON.stringify(stats)).toEqual([live, ready]);
    }
    const strict = healthHandler({ stats: () => ({ ...base, acksPending: 3, lastByteAgeMs: 1_500 }) }, { maxAcksPending: 2, maxSilence: "1s" });
    expect(await probe(strict, "/readyz")).toEqual([503, "the take stream has been silent for 1500 ms"]);
    expect(healthHandler({ stats: () => base })(new Request("http://health.test/metrics")).status).toBe(404);
    const posted = healthHandler({ stats: () => base })(new Request("http://health.test/readyz", { method: "POST" }));
    expect([posted.status, posted.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
    const head = healthHandler({ stats: () => base })(new Request("http://health.test/readyz", { method: "HEAD" }));
    expect([head.status, head.body]).toEqual([200, null]);
  });

  it("refuses bad arguments by name", () => {
    expect(() => healthHandler({} as Worker)).toThrow(new ZizqArgumentError("worker", "expected a Worker, got an object"));
    expect(() => healthHandler({ stats: () => base }, { maxAcksPending: -1 })).toThrow(ZizqArgumentError);
    expect(() => healthHandler({ stats: () => base }, { maxSilenceMs: 1 } as never)).toThrow(/maxSilenceMs/);
  });

  it("answers a real worker's probes over HTTP: ready while it takes, not alive once it stopped", async () => {
    served = await serveTestServer();
    const Job = defineJob<{ n: number }>({ type: "n", queue: "health" });
    const client = new Client({ url: served.url });
    let release!: () => void;
    const running = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const hasStarted = new Promise<void>((resolve) => (started = resolve));
    const router = new Router().route(Job, async () => {
      started();
      await running;
    });
    const worker = new Worker({ client, router, logger: quiet });
    handle = await serve({ fetch: healthHandler(worker) }, { port: 0 });
    const get = async (path: string) => {
      const response = await fetch(`${handle!.url}${path}`);
      return [response.status, (await response.json()) as { ok: boolean; stats: WorkerStats }] as const;
    };
    expect((await get("/livez"))[0]).toBe(503);
    const run = worker.run();
    await client.enqueue(Job, { n: 1 });
    await hasStarted;
    const [status, body] = await get("/readyz");
    expect([status, body.ok, body.stats.connected, body.stats.running]).toEqual([200, true, true, 1]);
    expect(body.stats.lastByteAgeMs).toBeGreaterThanOrEqual(0);
    release();
    await worker.stop();
    await run;
    expect((await get("/livez"))[0]).toBe(503);
  });
});
