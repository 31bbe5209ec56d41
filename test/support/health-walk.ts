/**
 * The health handler served by a runtime's `serve` (Node, Bun, Deno): a real Worker taking from
 * the in-process test server, probed over a real socket while it runs and after it stopped.
 */
import type { FetchApp, ServeOptions, ServerHandle } from "../../src/adapter/serve.ts";
import { Client, defineJob, healthHandler, Router, Worker } from "../../src/index.ts";
import { createTestServer } from "../../src/testing/index.ts";
import type { Walk } from "./walk.ts";

type Serve = (app: FetchApp, options?: ServeOptions) => Promise<ServerHandle>;

const Hold = defineJob<{ n: number }>({ type: "hold", queue: "health" });
const quiet = { warn() {}, error() {}, info() {}, debug() {} };

export function healthWalk(serve: Serve): Walk<void> {
  return {
    steps: [
      {
        name: "/readyz is 200 while the worker takes and runs a job, /livez 503 once it stopped, other paths 404",
        async run(_state, assert) {
          const server = createTestServer();
          const client = new Client({ url: "http://zizq.test", fetch: server.fetch });
          let release!: () => void;
          let started!: () => void;
          const running = new Promise<void>((resolve) => (started = resolve));
          const router = new Router().route(Hold, () => new Promise<void>((resolve) => ((release = resolve), started())));
          const worker = new Worker({ client, router, logger: quiet });
          const probes = await serve({ fetch: healthHandler(worker) }, { port: 0 });
          try {
            const probe = async (path: string) => (await fetch(`${probes.url}${path}`)).status;
            const run = worker.run();
            await client.enqueue(Hold, { n: 1 });
            await running;
            assert.deepEqual([await probe("/livez"), await probe("/readyz"), await probe("/other")], [200, 200, 404]);
            release();
            await worker.stop();
            await run;
            assert.deepEqual([await probe("/livez"), await probe("/readyz")], [503, 503]);
          } finally {
            await probes.close();
            server.close();
          }
        },
      },
    ],
  };
}
