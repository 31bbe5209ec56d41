/**
 * The push endpoint inside workerd (no nodejs_compat): Web Crypto signing and verification, the
 * Hono handler through `zizqWorker({ push })`, settling through a Client under the real
 * `ctx.waitUntil`, and a forged delivery refused.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { zizqWorker } from "../../adapters/cloudflare.ts";
import { zizqPush } from "../../adapters/hono.ts";
import { generateSecret, signDelivery } from "../../src/push/index.ts";
import { Client } from "../../src/client/client.ts";
import { Router } from "../../src/processing/router.ts";
import { createTestServer } from "../../src/testing/index.ts";

describe("push endpoint in workerd", () => {
  it("verifies, runs and settles under waitUntil; refuses a forgery", async () => {
    const server = createTestServer();
    const client = new Client({ url: "http://zizq.test", fetch: server.fetch });
    const secret = generateSecret();
    const ran: string[] = [];
    const router = new Router().fallback((job) => void ran.push(job.id));
    const app = new Hono();
    app.post("/zizq", zizqPush({ router, secrets: secret, client, logger: { warn() {}, error() {} } }));
    const worker = zizqWorker({ client: () => client, router, push: (request, env, ctx) => app.fetch(request, env, ctx as ExecutionContext), pushPath: "/zizq" });

    const { id } = await client.enqueueRaw({ type: "edge", queue: "q", payload: { n: 1 }, retention: { completed: 60_000 } });
    const reader = (await client.take({ prefetch: 1 })).getReader();
    await reader.read();
    const frame = await (await server.fetch(new Request(`http://zizq.test/jobs/${id}`))).text();

    const forged = await signDelivery(generateSecret(), frame);
    const ctx0 = createExecutionContext();
    const refused = await worker.fetch(new Request("https://edge.test/zizq", { method: "POST", body: frame, headers: { ...forged, "content-type": "application/json" } }), {}, ctx0);
    expect(refused.status).toBe(401);
    expect(ran).toEqual([]);

    const signed = await signDelivery(secret, frame);
    const ctx = createExecutionContext();
    const response = await worker.fetch(new Request("https://edge.test/zizq", { method: "POST", body: frame, headers: { ...signed, "content-type": "application/json" } }), {}, ctx);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id, outcome: "completed", settled: true });
    await waitOnExecutionContext(ctx);
    expect(ran).toEqual([id]);
    expect((await client.getJob(id)).status).toBe("completed");
    await reader.cancel();
    server.close();
  });
});
