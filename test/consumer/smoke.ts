/**
 * A user's program, run from the installed tarball by scripts/consumer-test.ts in Node, Bun and
 * Deno, and type-checked there with moduleResolution nodenext and bundler: the test server on a
 * real port through the runtime's adapter, a producer, a worker, and a Hono push endpoint.
 * It imports zizq-edge only by its package name, as a user's code does.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { Client, defineJob, Router, Worker } from "zizq-edge";
import { zizqPush } from "zizq-edge/hono";
import { zizqOtel } from "zizq-edge/otel";
import { generateSecret, signDelivery } from "zizq-edge/push";
import { createTestServer } from "zizq-edge/testing";

const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";
const adapter =
  runtime === "bun" ? await import("zizq-edge/bun") : runtime === "deno" ? await import("zizq-edge/deno") : await import("zizq-edge/node");
// Node's TLS-capable fetch goes through undici, an optional peer the scratch project installs.
const nodeFetch = runtime === "node" ? (await import("zizq-edge/node")).nodeFetch() : undefined;

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`${runtime}: ${what}`);
}

const Greet = defineJob({ type: "greet", queue: "smoke", schema: v.object({ name: v.string() }) });
const greeted: string[] = [];
const router = new Router().route(Greet, async ({ name }) => void greeted.push(name));

const server = createTestServer();
const handle = await adapter.serve(server);
const client = new Client({ url: handle.url, fetch: nodeFetch ?? fetch });
try {
  // Producer, then a worker that drains what it enqueued.
  await client.enqueue(Greet, { name: "pull" });
  const summary = await new Worker({ client, router }).drain({ maxJobs: 1, maxDuration: 10_000 });
  check(summary.completed === 1 && greeted.join() === "pull", `worker drained ${JSON.stringify(summary)}, ran ${greeted.join()}`);

  // The push endpoint in a user's Hono app: a signed delivery runs the same router and settles.
  const secret = generateSecret();
  const app = new Hono();
  app.post("/zizq", zizqPush({ router, secrets: [secret], client }));
  const job = await client.enqueue(Greet, { name: "push" }, { retention: { completed: 60_000 } });
  const stream = (await client.take({ prefetch: 1, queues: ["smoke"] })).getReader();
  await stream.read();
  const frame = await (await fetch(`${handle.url}/jobs/${job.id}`)).text();
  const headers = { ...(await signDelivery(secret, frame)), "content-type": "application/json" };
  const response = await app.request("/zizq", { method: "POST", body: frame, headers });
  const outcome = (await response.json()) as { outcome?: string; settled?: boolean };
  check(response.status === 200 && outcome.outcome === "completed" && outcome.settled === true, `push answered ${response.status} ${JSON.stringify(outcome)}`);
  check((await client.getJob(job.id)).status === "completed", "the pushed job is not completed");
  // OpenTelemetry's API alone (no SDK): the instrumentation runs, and with no propagator set nothing joins the payload.
  const otel = zizqOtel({ propagate: true });
  const traced = await new Client({ url: handle.url, instrumentation: otel }).enqueue(Greet, { name: "otel" });
  check(JSON.stringify((await client.getJob(traced.id)).payload) === '{"name":"otel"}', "a no-op propagator added a carrier");
  await stream.cancel();
  // MessagePack, with its optional peer installed: the body codec and the take stream's decoder load from the bundle.
  const Packed = defineJob({ type: "packed", queue: "packed", schema: v.object({ name: v.string() }) });
  const packed = new Client({ url: handle.url, fetch: nodeFetch ?? fetch, format: "msgpack" });
  await packed.enqueue(Packed, { name: "msgpack" });
  const packedRouter = new Router().route(Packed, async ({ name }) => void greeted.push(name));
  const drained = await new Worker({ client: packed, router: packedRouter, queues: ["packed"] }).drain({ maxJobs: 1, maxDuration: 10_000 });
  check(drained.completed === 1 && greeted.at(-1) === "msgpack", `the MessagePack worker drained ${JSON.stringify(drained)}, ran ${greeted.join()}`);
  console.log(`smoke ${runtime}: test server, producer, worker, MessagePack and push endpoint ok`);
} finally {
  await nodeFetch?.close();
  await handle.close();
  server.close();
}
