/**
 * The in-memory Zizq test server behind HTTPS that demands a client certificate signed by the
 * test CA: Zizq's mutual TLS, for the adapters' TLS tests. Node only; other runtimes run it as a
 * child process (`node --import tsx test/support/tls-server.ts`), which prints one JSON line —
 * `{ url, certificates }` — and serves until its stdin closes or it gets SIGTERM.
 */
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { getRequestListener } from "@hono/node-server";
import { createTestServer } from "../../src/testing/index.ts";
import { makeCertificates, type TestCertificates } from "./certs.ts";

export interface TlsZizq {
  url: string;
  certificates: TestCertificates;
  close(): Promise<void>;
}

export async function startTlsZizq(): Promise<TlsZizq> {
  const certificates = await makeCertificates();
  const zizq = createTestServer();
  const server = createServer(
    {
      key: certificates.server.key,
      cert: certificates.server.cert,
      ca: certificates.ca.cert,
      requestCert: true,
      rejectUnauthorized: true,
    },
    getRequestListener((request) => zizq.fetch(request)),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    certificates,
    close: () =>
      new Promise<void>((resolve) => {
        zizq.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const running = await startTlsZizq();
  process.stdout.write(`${JSON.stringify({ url: running.url, certificates: running.certificates })}\n`);
  const stop = () => void running.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.stdin.on("end", stop).resume();
}
