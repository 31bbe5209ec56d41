/**
 * TLS and mutual TLS through adapters/deno.ts `denoFetch`, for real: the in-memory Zizq behind
 * HTTPS that demands a client certificate (test/support/tls-server.ts, a Node child process with
 * certificates made at start-up). With the CA, certificate and key a Worker drains jobs through
 * the TLS take stream; without the client certificate, with a wrong CA, or with a client
 * certificate from another CA, the connection is refused.
 */
import assert from "node:assert/strict";
import * as v from "valibot";
import { denoFetch } from "../../adapters/deno.ts";
import { Client, defineJob, Router, Worker, ZizqArgumentError, ZizqConnectionError } from "../../src/index.ts";
import type { TestCertificates } from "../support/certs.ts";
import { eventually, within } from "../support/wait.ts";
import { CHILD_MS, start } from "./child.ts";

const Ping = defineJob({ type: "ping", queue: "tls", schema: v.object({ n: v.number() }) });

/** A client through its own `denoFetch`, with no retries so refusals answer at once. */
function tlsClient(url: string, options: Parameters<typeof denoFetch>[0]) {
  const fetch = denoFetch(options);
  return { client: new Client({ url, fetch, retry: false, timeoutMs: 5_000 }), close: () => fetch.close() };
}

/** Both a read and an enqueue fail with `ZizqConnectionError`, whose message matches `reason` when given. */
async function refused(url: string, options: Parameters<typeof denoFetch>[0], what: string, reason?: RegExp): Promise<void> {
  const { client, close } = tlsClient(url, options);
  try {
    const error = await client.health().then(() => undefined, (error: unknown) => error);
    assert.ok(error instanceof ZizqConnectionError, `${what}: expected a ZizqConnectionError, got ${String(error)}`);
    if (reason) assert.match(error.message, reason, what);
    await assert.rejects(client.enqueue(Ping, { n: 0 }), ZizqConnectionError, what);
  } finally {
    close();
  }
}

Deno.test("denoFetch: TLS and mutual TLS against the Node TLS test server", async (t) => {
  const server = start("node", ["--import", "tsx", "test/support/tls-server.ts"], { stdin: true });
  try {
    await eventually(() => server.output().includes("\n"), "the TLS server to start", CHILD_MS);
    const { url, certificates } = JSON.parse(server.output().split("\n")[0]!) as { url: string; certificates: TestCertificates };
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const { ca, client: clientPem, otherCa, otherClient } = certificates;

    await t.step("with the CA, the client certificate and key: health, enqueue and a Worker over the TLS take stream", async () => {
      const { client, close } = tlsClient(url, { ca: ca.cert, cert: clientPem.cert, key: clientPem.key });
      try {
        assert.equal(await client.health(), "ok");
        await client.enqueueBulk(Array.from({ length: 50 }, (_, n) => Ping.with({ n })));
        const seen = new Set<number>();
        const router = new Router().route(Ping, ({ n }) => void seen.add(n));
        const worker = new Worker({ client, router, concurrency: 16 });
        const summary = await within(worker.drain({ maxIdle: 300, maxDuration: 15_000 }), "the drain over TLS", CHILD_MS);
        assert.equal(summary.completed, 50);
        assert.equal(summary.failed, 0);
        assert.equal(seen.size, 50);
        assert.equal(await client.jobs({ status: ["ready", "in_flight", "scheduled", "dead"] }).count(), 0, "every job acked");
      } finally {
        close();
      }
    });

    await t.step("without the client certificate: refused", () => refused(url, { ca: ca.cert }, "no client certificate"));

    await t.step("a wrong CA: the server certificate is rejected", () =>
      refused(url, { ca: otherCa.cert, cert: clientPem.cert, key: clientPem.key }, "server certificate from an untrusted CA", /certificate/i));

    await t.step("no CA (system roots only): the server certificate is rejected", () =>
      refused(url, { cert: clientPem.cert, key: clientPem.key }, "server certificate not in the system roots", /certificate/i));

    await t.step("a client certificate from another CA: refused", () =>
      refused(url, { ca: ca.cert, cert: otherClient.cert, key: otherClient.key }, "client certificate from another CA"));

    await t.step("a certificate without its key is an argument error", () => {
      assert.throws(() => denoFetch({ ca: ca.cert, cert: clientPem.cert }), ZizqArgumentError);
    });
  } finally {
    await server.process.stdin.close();
    const code = await within(server.exited, "the TLS server to exit", 10_000);
    assert.equal(code, 0, server.output());
  }
});
