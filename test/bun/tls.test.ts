/**
 * TLS and mutual TLS for real in Bun: the in-memory Zizq behind HTTPS that demands a client
 * certificate (test/support/tls-server.ts, in a Node child process; certificates made at test
 * time), reached through `bunFetch` from adapters/bun.ts, which passes Bun's `tls` fetch option.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { bunFetch, type BunTlsOptions } from "../../adapters/bun.ts";
import { Client, Router, Worker, ZizqConnectionError } from "../../src/index.ts";
import { Tick } from "./fixtures/jobs.ts";
import { startTlsChild, type TlsChild } from "./helpers.ts";

let tls: TlsChild;
beforeAll(async () => {
  tls = await startTlsChild();
}, 30_000);
afterAll(() => tls?.close());

const client = (options: BunTlsOptions) => new Client({ url: tls.url, fetch: bunFetch(options), retry: false, timeoutMs: 5_000 });
const trusted = () => ({ ca: tls.certificates.ca.cert });
const withClientCert = () => ({ ...trusted(), cert: tls.certificates.client.cert, key: tls.certificates.client.key });

/**
 * Bun's error code when the server refuses our certificate after the TLS 1.3 handshake: the
 * server's alert surfaces as EPROTO, or as ECONNRESET when the socket closes first (seen for a
 * certificate from the wrong CA). Which one depends on how the alert and the close race.
 */
const SERVER_REFUSED = ["EPROTO", "ECONNRESET"];

/** The call fails as a connection error; answers the TLS error code Bun reported. */
async function refused(options: BunTlsOptions): Promise<string> {
  const error = await client(options)
    .health()
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  expect(error).toBeInstanceOf(ZizqConnectionError);
  return String((error as ZizqConnectionError & { cause?: { code?: string } }).cause?.code);
}

test("without a client certificate the server refuses the connection, and nothing gets through", async () => {
  expect(tls.url).toStartWith("https://127.0.0.1:");
  expect(SERVER_REFUSED).toContain(await refused(trusted())); // the server's alert: certificate required
  const error = await client(trusted())
    .enqueueRaw({ type: "sneaky", queue: "refused", payload: {} })
    .catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ZizqConnectionError);
  expect(await client(withClientCert()).jobs({ queue: "refused" }).count()).toBe(0);
});

test("a server certificate from a CA we do not trust is rejected", async () => {
  // The right client certificate, but only the other CA trusted: the client rejects the server.
  expect(await refused({ ca: tls.certificates.otherCa.cert, cert: tls.certificates.client.cert, key: tls.certificates.client.key })).toBe(
    "SELF_SIGNED_CERT_IN_CHAIN",
  );
  // Nor do the system's roots know the test CA.
  expect(await refused({ cert: tls.certificates.client.cert, key: tls.certificates.client.key })).toBe("SELF_SIGNED_CERT_IN_CHAIN");
});

test("a client certificate from another CA is refused by the server", async () => {
  // The handshake completes on our side; the server then resets the connection.
  const code = await refused({ ...trusted(), cert: tls.certificates.otherClient.cert, key: tls.certificates.otherClient.key });
  expect(SERVER_REFUSED).toContain(code);
});

test("with the CA and a client certificate: health, enqueue, and a Worker drains 50 jobs through the TLS take stream", async () => {
  const zizq = client(withClientCert());
  expect(await zizq.health()).toBe("ok");
  expect(await zizq.serverVersion()).toBe("0.7.0");
  const enqueued = await zizq.enqueueBulk(Array.from({ length: 50 }, (_, n) => Tick.with({ n, label: `tls-${n}` })));
  expect(enqueued.length).toBe(50);

  const seen = new Set<number>();
  const contentTypes: Array<string | null> = [];
  const worker = new Worker({
    client: zizq,
    router: new Router().route(Tick, async ({ n }) => void seen.add(n)),
    concurrency: 16,
    logger: { warn: () => {}, error: console.error },
    hooks: { onConnect: ({ contentType }) => void contentTypes.push(contentType) },
  });
  const summary = await worker.drain({ maxJobs: 50, maxMs: 20_000 });
  expect(summary).toMatchObject({ processed: 50, completed: 50, failed: 0, reason: "maxJobs" });
  expect(seen.size).toBe(50);
  expect(contentTypes).toEqual(["application/x-ndjson"]); // one take stream, over TLS
  expect(worker.stats()).toMatchObject({ running: 0, acksPending: 0, connected: false });
  expect(await zizq.jobs({ status: "completed" }).count()).toBe(50);
  expect(await zizq.jobs({ status: ["ready", "in_flight", "scheduled"] }).count()).toBe(0);
}, 30_000);

test("the refusals do not leak into a good client's pooled connections, nor the other way round", async () => {
  expect(await client(withClientCert()).health()).toBe("ok");
  expect(SERVER_REFUSED).toContain(await refused(trusted()));
  expect(await client(withClientCert()).health()).toBe("ok");
});

test("rejectUnauthorized: false skips verifying the server; the client certificate is still required", async () => {
  const { cert, key } = tls.certificates.client;
  expect(await client({ rejectUnauthorized: false, cert, key }).health()).toBe("ok");
  expect(SERVER_REFUSED).toContain(await refused({ rejectUnauthorized: false }));
});
