/**
 * Zizq never redirects, so the Client never follows one: a 3xx is a ZizqRedirectError naming the
 * method, the full URL and the Location, sent once (no retry) and never re-sent elsewhere with
 * its body. Error messages show the base URL's own path.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { nodeFetch, serve } from "../../../adapters/node.ts";
import { Client, defineJob, Router, Worker, ZizqConnectionError, ZizqHttpError, ZizqNotFoundError, ZizqRedirectError } from "../../../src/index.ts";
import { createTestServer } from "../../../src/testing/index.ts";
import { rejection } from "./harness.ts";
import { type Stub, startStub } from "./stub-server.ts";

const Plain = defineJob<{ n: number }>({ type: "t", queue: "q" });
const ID = "03fr1jkpcsipbsckqj0y6pgr7";

let redirecting: Stub;
let elsewhere: Stub;
beforeAll(async () => {
  redirecting = await startStub();
  elsewhere = await startStub(() => ({ status: 201, type: "application/json", body: "{}" }));
});
afterAll(async () => {
  await redirecting.close();
  await elsewhere.close();
});
afterEach(() => {
  redirecting.seen.length = 0;
  elsewhere.seen.length = 0;
});

/** A client with quick retries, so a retried redirect would show as a second request. */
const client = () => new Client({ url: redirecting.url, retry: { limit: 2, initialDelayMs: 1, maxDelayMs: 2 } });

describe("redirects", () => {
  it("a 307 to another origin is refused: the POST body goes nowhere else, once", async () => {
    redirecting.answer = () => ({ status: 307, headers: { location: `${elsewhere.url}/jobs` } });
    // A unique key makes the enqueue safe to retry, so only the redirect rule keeps it to one request.
    const error = await rejection(client().enqueueRaw({ type: "t", queue: "q", payload: { secret: 1 }, uniqueKey: "k" }));
    expect(error).toBeInstanceOf(ZizqRedirectError);
    expect(error).toBeInstanceOf(ZizqHttpError);
    expect(error).toMatchObject({ status: 307, location: `${elsewhere.url}/jobs`, request: { method: "POST", path: "/jobs", url: `${redirecting.url}/jobs` } });
    expect((error as Error).message).toBe(
      `POST ${redirecting.url}/jobs: the server answered a 307 redirect to ${elsewhere.url}/jobs; Zizq never redirects, so it was not followed (check the client's url)`,
    );
    expect(redirecting.seen).toHaveLength(1);
    expect(elsewhere.seen).toHaveLength(0);
  });

  it.each([301, 302, 303, 308])("a %i is never followed or retried, for a GET or a POST", async (status) => {
    redirecting.answer = () => ({ status, headers: { location: `${elsewhere.url}/somewhere` } });
    expect(await rejection(client().getJob(ID))).toMatchObject({ name: "ZizqRedirectError", status, request: { method: "GET", path: `/jobs/${ID}` } });
    expect(await rejection(client().enqueue(Plain, { n: 1 }))).toMatchObject({ name: "ZizqRedirectError", status });
    expect(redirecting.seen.map((request) => request.method)).toEqual(["GET", "POST"]);
    expect(elsewhere.seen).toHaveLength(0);
  });

  it("the Node adapter's undici fetch does not follow either", async () => {
    redirecting.answer = () => ({ status: 307, headers: { location: `${elsewhere.url}/jobs` } });
    const fetch = nodeFetch();
    try {
      const error = await rejection(new Client({ url: redirecting.url, fetch, retry: false }).enqueue(Plain, { n: 1 }));
      expect(error).toMatchObject({ name: "ZizqRedirectError", status: 307, location: `${elsewhere.url}/jobs` });
      expect(elsewhere.seen).toHaveLength(0);
    } finally {
      await fetch.close();
    }
  });

  it("a relative Location is shown resolved against the request URL", async () => {
    redirecting.answer = () => ({ status: 302, headers: { location: "/login?next=%2Fhealth" } });
    expect(await rejection(client().health())).toMatchObject({ location: `${redirecting.url}/login?next=%2Fhealth` });
  });

  it("the take request is not followed either", async () => {
    redirecting.answer = () => ({ status: 307, headers: { location: `${elsewhere.url}/jobs/take` } });
    const error = await rejection(client().take({ prefetch: 1 }));
    expect(error).toMatchObject({ name: "ZizqRedirectError", status: 307, location: `${elsewhere.url}/jobs/take` });
    expect((error as Error).message).toContain(`GET ${redirecting.url}/jobs/take?prefetch=1: `);
    expect(elsewhere.seen).toHaveLength(0);
  });

  it("a Worker whose take is redirected stops and throws the redirect, as for a 4xx, instead of reconnecting", async () => {
    redirecting.answer = () => ({ status: 302, headers: { location: `${elsewhere.url}/jobs/take` } });
    const warnings: string[] = [];
    const logger = { warn: (message: string) => void warnings.push(message), error: (message: string) => void warnings.push(message) };
    const worker = new Worker({ client: client(), router: new Router(), logger });
    expect(await rejection(worker.run())).toMatchObject({ name: "ZizqRedirectError", status: 302 });
    expect(redirecting.seen).toHaveLength(1);
    expect(elsewhere.seen).toHaveLength(0);
    expect(warnings).toEqual([]);
  });

  it("asks fetch not to follow, and refuses the opaque redirect a browser hands back instead", async () => {
    const inits: RequestInit[] = [];
    // Node's fetch returns the 3xx itself; browsers return this status-0 response with no headers.
    const opaque = Object.defineProperties(new Response(null), { type: { value: "opaqueredirect" }, status: { value: 0 }, ok: { value: false } });
    const fetch = async (_input: RequestInfo | URL, init?: RequestInit) => {
      inits.push(init ?? {});
      return opaque;
    };
    const error = await rejection(new Client({ url: "https://zizq.test", fetch, retry: false }).enqueue(Plain, { n: 1 }));
    expect(error).toMatchObject({ name: "ZizqRedirectError", status: 0, location: null });
    expect((error as Error).message).toContain("POST https://zizq.test/jobs: the server answered a redirect to a target the runtime does not reveal");
    expect(inits.map((init) => init.redirect)).toEqual(["manual"]);
  });
});

describe("messages show the base URL's path", () => {
  it("an error status, a take and a refused connection name /nope/...", async () => {
    const stub = await startStub(() => ({ status: 404, type: "application/json", body: '{"error":"not found"}' }));
    try {
      const base = new Client({ url: `${stub.url}/nope/`, retry: false });
      const missing = await rejection(base.getJob("abc"));
      expect(missing).toBeInstanceOf(ZizqNotFoundError);
      expect((missing as Error).message).toBe("GET /nope/jobs/abc: 404 not found");
      expect(missing).toMatchObject({ request: { path: "/nope/jobs/abc", url: `${stub.url}/nope/jobs/abc` } });
      expect(stub.seen.map((request) => request.path)).toEqual(["/nope/jobs/abc"]);
      expect((await rejection(base.take({ prefetch: 1 })) as Error).message).toBe("GET /nope/jobs/take?prefetch=1: 404 not found");
    } finally {
      await stub.close();
    }
    // The port is free again: nothing answers there.
    const refused = await rejection(new Client({ url: `${stub.url}/nope`, retry: false }).queues());
    expect(refused).toBeInstanceOf(ZizqConnectionError);
    expect((refused as Error).message).toMatch(/^GET \/nope\/queues: could not reach the Zizq server/);
  });

  it("a worker-style take against the test server at a wrong base path names the whole path", async () => {
    const server = createTestServer();
    const handle = await serve(server, { port: 0 });
    try {
      const error = await rejection(new Client({ url: `${handle.url}/nope` }).take({ prefetch: 1 }));
      expect(error).toBeInstanceOf(ZizqHttpError);
      expect((error as Error).message).toMatch(/^GET \/nope\/jobs\/take\?prefetch=1: 4\d\d /);
    } finally {
      server.close();
      await handle.close();
    }
  });
});
