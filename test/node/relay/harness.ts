import { Hono } from "hono";
import { serve, type ServerHandle } from "../../../adapters/node.ts";
import { Client } from "../../../src/client/client.ts";
import { generateSecret } from "../../../src/push/signature.ts";
import { createTestServer } from "../../../src/testing/index.ts";
import type { TestServer } from "../../../src/testing/types.ts";
import type { Logger } from "../../../src/utils/logger.ts";
import type { Router } from "../../../src/processing/router.ts";
import { Always, Doomed, Flaky, Later, Ok, QUEUE } from "./jobs.ts";
import { zizqPush } from "../../../adapters/hono.ts";

/** Quiet, but keeps what was logged for assertions. */
export function recordingLogger(): Logger & { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  return {
    errors,
    warnings,
    debug: () => {},
    info: () => {},
    warn: (message: string) => void warnings.push(message),
    error: (message: string) => void errors.push(message),
  };
}

export interface Zizq {
  server: TestServer;
  handle: ServerHandle;
  client: Client;
  close(): Promise<void>;
}

export async function startZizq(): Promise<Zizq> {
  const server = createTestServer({
    license: "pro",
    defaultBackoff: { exponent: 0, baseMs: 0, jitterMs: 50 },
    defaultRetention: { completedMs: 3_600_000 },
  });
  const handle = await serve(server);
  const client = new Client({ url: handle.url });
  return {
    server,
    handle,
    client,
    close: async () => {
      await handle.close();
      server.close();
    },
  };
}

/** The endpoint app: the real `zizqPush` of zizq-edge/hono, mounted on a Hono app at /push. */
export function endpointApp(options: { secret: string | readonly string[]; router: Router; client?: Client }): Hono {
  const app = new Hono();
  app.post("/push", zizqPush({ secrets: options.secret, router: options.router, client: options.client, logger: recordingLogger() }));
  return app;
}

/** Enqueues `total` jobs: 60% ok, 10% flaky, 10% later, 5% doomed, 5% invalid payload, 10% always failing. */
export async function enqueueMix(client: Client, total: number) {
  const requests = [];
  let invalid = 0;
  for (let i = 0; i < total; i++) {
    const kind = i % 20;
    if (kind < 12) requests.push(Ok.with({ n: i }));
    else if (kind < 14) requests.push(Flaky.with({ n: i }));
    else if (kind < 16) requests.push(Later.with({ n: i }));
    else if (kind === 16) requests.push(Doomed.with({ n: i }));
    else if (kind === 17) invalid++;
    else requests.push(Always.with({ n: i }));
  }
  await client.enqueueBulk(requests);
  for (let i = 0; i < invalid; i++) await client.enqueueRaw({ type: "ok", queue: QUEUE, payload: { n: "not a number" } });
  return { completed: (total / 20) * 16, dead: (total / 20) * 4 };
}

export { generateSecret };
export { Always, Doomed, endpointRouter, Flaky, Later, Ok, QUEUE } from "./jobs.ts";
