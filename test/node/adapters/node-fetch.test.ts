/**
 * nodeFetch over real TLS: the in-memory Zizq behind HTTPS that demands a client certificate signed
 * by a CA made at test time (test/support/tls-server.ts). The right CA and client certificate get
 * through, take stream included; a missing or foreign client certificate, a wrong CA, or Node's
 * default trust store do not.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NodeFetch, nodeFetch } from "../../../adapters/node.ts";
import { Client, defineJob, Router, Worker, ZizqConnectionError } from "../../../src/index.ts";
import { startTlsZizq, type TlsZizq } from "../../support/tls-server.ts";
import { root } from "./child.ts";

// Completed jobs are kept for a minute, so the test can count them.
const Ping = defineJob<{ n: number }>({ type: "ping", queue: "tls", retention: { completed: 60_000 } });
const silent = { warn: () => {}, error: () => {}, info: () => {} };

let zizq: TlsZizq;
const opened: NodeFetch[] = [];

/** A fetch closed after the tests. */
function tracked(options: Parameters<typeof nodeFetch>[0]): NodeFetch {
  const fetch = nodeFetch(options);
  opened.push(fetch);
  return fetch;
}

/** The error `health()` rejects with through `fetch` (no retries: each refusal would be repeated). */
async function refusal(fetch: typeof globalThis.fetch | undefined): Promise<ZizqConnectionError> {
  const client = new Client({ url: zizq.url, retry: false, ...(fetch ? { fetch } : {}) });
  const error = await client.health().then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(ZizqConnectionError);
  return error as ZizqConnectionError;
}

/** The innermost cause's message: undici's "fetch failed" wraps the socket's error. */
function rootCause(error: unknown): string {
  let at = error;
  while (at instanceof Error && at.cause instanceof Error) at = at.cause;
  return at instanceof Error ? `${(at as NodeJS.ErrnoException).code ?? ""} ${at.message}` : String(at);
}

beforeAll(async () => {
  zizq = await startTlsZizq();
});

afterAll(async () => {
  await Promise.all(opened.map((fetch) => fetch.close()));
  await zizq?.close();
});

describe("nodeFetch with mutual TLS", () => {
  it("reaches the server with the CA and a client certificate; a Worker drains 200 jobs over the take stream", async () => {
    const { ca, client: mine } = zizq.certificates;
    const fetch = tracked({ ca: ca.cert, cert: mine.cert, key: mine.key });
    const client = new Client({ url: zizq.url, fetch });
    expect(await client.health()).toBe("ok");

    await client.enqueueBulk(Array.from({ length: 200 }, (_, n) => Ping.with({ n })));
    const seen = new Set<number>();
    const router = new Router().route(Ping, async ({ n }) => void seen.add(n));
    const worker = new Worker({ client, router, concurrency: 8, queues: ["tls"], logger: silent });
    const summary = await worker.drain({ idleMs: 300, maxMs: 15_000 });

    expect(summary).toMatchObject({ completed: 200, failed: 0, reason: "idle" });
    expect(seen.size).toBe(200);
    expect(worker.stats()).toMatchObject({ connections: 1, acksPending: 0 });
    expect(await client.jobs({ queue: "tls", status: "completed" }).count()).toBe(200);
    expect(await client.jobs({ status: ["ready", "in_flight", "scheduled", "dead"] }).count()).toBe(0);
  });

  it("takes a Request as well as a URL, and answers with a global Response", async () => {
    const { ca, client: mine } = zizq.certificates;
    const fetch = tracked({ ca: ca.cert, cert: mine.cert, key: mine.key });
    const response = await fetch(new Request(`${zizq.url}/health`, { headers: { accept: "application/json" } }));
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(200);
    expect(response.url).toBe(`${zizq.url}/health`);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("is refused without a client certificate", async () => {
    const error = await refusal(tracked({ ca: zizq.certificates.ca.cert }));
    expect(error.message).toMatch(/^GET \/health: could not reach the Zizq server/);
  });

  it("is refused with a client certificate signed by another CA", async () => {
    const { ca, otherClient } = zizq.certificates;
    await refusal(tracked({ ca: ca.cert, cert: otherClient.cert, key: otherClient.key }));
  });

  it("rejects the server's certificate when trusting another CA", async () => {
    const { otherCa, client: mine } = zizq.certificates;
    const error = await refusal(tracked({ ca: otherCa.cert, cert: mine.cert, key: mine.key }));
    expect(rootCause(error)).toMatch(/certificate/);
  });

  it("rejects the server's certificate with the global fetch and Node's default CAs", async () => {
    const error = await refusal(undefined);
    expect(rootCause(error)).toMatch(/SELF_SIGNED_CERT_IN_CHAIN|certificate/);
  });

  it("throws a setup error naming undici at once, from nodeFetch() itself, where undici is not installed", async () => {
    const project = projectWithoutUndici();
    try {
      const child = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], { cwd: project, encoding: "utf8" });
      expect(child.status, child.stderr).toBe(0);
      expect(child.stdout.trim()).toBe(
        'thrown by nodeFetch(): ZizqError: nodeFetch needs the optional package "undici" ' +
        "(Node's built-in fetch has no TLS or pool options): npm install undici@7 (or undici@8 on Node 22.19+); cause: ERR_MODULE_NOT_FOUND",
      );
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});

/**
 * A project outside the repository with this library's sources and every installed package but
 * undici, whose `main.ts` calls `nodeFetch()` and prints what it throws.
 */
function projectWithoutUndici(): string {
  const dir = mkdtempSync(join(tmpdir(), "zizq-no-undici-"));
  for (const folder of ["src", "adapters"]) cpSync(join(root, folder), join(dir, folder), { recursive: true });
  mkdirSync(join(dir, "node_modules"));
  for (const name of readdirSync(join(root, "node_modules"))) {
    if (name !== "undici") symlinkSync(join(root, "node_modules", name), join(dir, "node_modules", name));
  }
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    join(dir, "main.ts"),
    `import { nodeFetch } from "./adapters/node.ts";
try {
  nodeFetch();
  console.log("nodeFetch() threw nothing");
} catch (error) {
  console.log(\`thrown by nodeFetch(): \${error.name}: \${error.message}; cause: \${error.cause?.code}\`);
}
`,
  );
  return dir;
}
