/**
 * The trace carrier's footprint: nothing in a payload unless propagation is on, never in a
 * non-object payload, no effect on unique keys, and stripped before a push endpoint's schema.
 */
import * as v from "valibot";
import { afterEach, describe, expect, it } from "vitest";
import { Client, createRelay, defineJob, Router, uniqueKey } from "../../../src/index.ts";
import { zizqOtel } from "../../../src/otel/index.ts";
import { createPushHandler, generateSecret, signDelivery } from "../../../src/push/index.ts";
import { createTestServer, type TestServer } from "../../../src/testing/index.ts";
import { testSdk, type TestSdk } from "../../support/otel-sdk.ts";

const Email = defineJob({ type: "send_email", queue: "emails", schema: v.strictObject({ to: v.string() }) });

let server: TestServer | undefined;
let sdk: TestSdk | undefined;
afterEach(async () => {
  server?.close();
  await sdk?.shutdown();
  server = sdk = undefined;
});

/** A client of an in-memory test server that keeps the JSON body of every enqueue it sends. */
function recordingClient(options: { instrumentation?: ReturnType<typeof zizqOtel> } = {}) {
  server ??= createTestServer({ license: "pro" });
  const test = server;
  const bodies: unknown[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (request.method === "POST" && /\/jobs(\/bulk)?$/.test(new URL(request.url).pathname)) bodies.push(await request.clone().json());
    return test.fetch(request);
  }) as typeof globalThis.fetch;
  return { client: new Client({ url: "http://zizq.test", fetch, ...options }), bodies };
}

const payloadsOf = (bodies: unknown[]) =>
  bodies.flatMap((body) => ((body as { jobs?: { payload: unknown }[] }).jobs ?? [body as { payload: unknown }]).map((job) => job.payload));

describe("the trace carrier", () => {
  it("is never sent without the option, nor when propagation is off (the default)", async () => {
    sdk = testSdk();
    const off = zizqOtel({ tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider, propagator: sdk.propagator });
    for (const options of [{}, { instrumentation: off }]) {
      const { client, bodies } = recordingClient(options);
      await client.enqueue(Email, { to: "a@example.com" });
      await client.enqueueBulk([Email.with({ to: "b@example.com" }), Email.with({ to: "c@example.com" })]);
      await client.enqueueRaw({ type: "raw", queue: "q", payload: { n: 1 } });
      expect(payloadsOf(bodies)).toEqual([{ to: "a@example.com" }, { to: "b@example.com" }, { to: "c@example.com" }, { n: 1 }]);
    }
    // The spans are still made.
    expect(sdk.spans().map((span) => span.name)).toEqual(["send emails", "create emails", "create emails", "send emails", "send q"]);
  });

  it("only fits an object payload: an array, a string or null is sent as given", async () => {
    sdk = testSdk();
    const { client, bodies } = recordingClient({ instrumentation: zizqOtel({ tracerProvider: sdk.tracerProvider, propagator: sdk.propagator, propagate: true }) });
    for (const payload of [[1, 2], "text", null]) await client.enqueueRaw({ type: "raw", queue: "q", payload });
    expect(payloadsOf(bodies)).toEqual([[1, 2], "text", null]);
  });

  it("leaves unique keys alone: they are derived from the payload before the carrier is added", async () => {
    sdk = testSdk();
    const Charge = defineJob<{ invoice: string }>({ type: "charge", queue: "billing", unique: { key: (payload) => uniqueKey(payload) } });
    const { client, bodies } = recordingClient({ instrumentation: zizqOtel({ tracerProvider: sdk.tracerProvider, propagator: sdk.propagator, propagate: true }) });
    const first = await client.enqueue(Charge, { invoice: "inv-1" });
    // Another trace, another carrier: still the same key, so still a duplicate.
    const again = await client.enqueue(Charge, { invoice: "inv-1" });
    expect(first.uniqueKey).toBe(await uniqueKey({ invoice: "inv-1" }));
    expect(again).toMatchObject({ id: first.id, duplicate: true });
    const [a, b] = payloadsOf(bodies) as { _zizq_trace: unknown }[];
    expect(a!._zizq_trace).not.toEqual(b!._zizq_trace);
  });

  it("is stripped before a push endpoint's schema and handler, and its processing joins the producer's trace", async () => {
    sdk = testSdk();
    const producer = testSdk();
    const { client } = recordingClient({ instrumentation: zizqOtel({ tracerProvider: producer.tracerProvider, propagator: producer.propagator, propagate: true }) });
    const { id } = await client.enqueue(Email, { to: "push@example.com" });
    const reader = (await client.take({ prefetch: 1 })).getReader();
    await reader.read();
    const frame = await (await server!.fetch(new Request(`http://zizq.test/jobs/${id}`, { headers: { accept: "application/json" } }))).text();
    const secret = generateSecret();
    const seen: unknown[] = [];
    const push = createPushHandler({
      router: new Router().route(Email, (payload) => void seen.push(payload)),
      secrets: [secret],
      client,
      instrumentation: zizqOtel({ tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider, propagator: sdk.propagator }),
    });
    const response = await push(new Request("http://endpoint.test/zizq", { method: "POST", body: frame, headers: { "content-type": "application/json", ...(await signDelivery(secret, frame)) } }));
    expect(await response.json()).toMatchObject({ id, outcome: "completed", settled: true });
    expect(seen).toEqual([{ to: "push@example.com" }]);
    const [send] = producer.spans();
    const [processed] = sdk.spans();
    expect(processed!.name).toBe("process emails");
    expect(processed!.parentSpanContext?.spanId).toBe(send!.spanContext().spanId);
    expect(processed!.spanContext().traceId).toBe(send!.spanContext().traceId);
    await reader.cancel();
    await producer.shutdown();
  });
});

describe("a relay", () => {
  it("delivers the job with the producer's carrier: the endpoint's span joins the producer's trace beside the relay's", async () => {
    sdk = testSdk();
    const producer = testSdk();
    const endpointSdk = testSdk();
    const { client } = recordingClient({ instrumentation: zizqOtel({ tracerProvider: producer.tracerProvider, propagator: producer.propagator, propagate: true }) });
    await client.enqueue(Email, { to: "relay@example.com" });
    const secret = generateSecret();
    const seen: unknown[] = [];
    const push = createPushHandler({
      router: new Router().route(Email, (payload) => void seen.push(payload)),
      secrets: [secret],
      instrumentation: zizqOtel({ tracerProvider: endpointSdk.tracerProvider, propagator: endpointSdk.propagator }),
    });
    const relay = createRelay({
      client,
      endpoint: "http://endpoint.test/zizq",
      secret,
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => push(new Request(input, init))) as typeof fetch,
      instrumentation: zizqOtel({ tracerProvider: sdk.tracerProvider, meterProvider: sdk.meterProvider, propagator: sdk.propagator }),
      logger: { warn() {}, error() {} },
    });
    expect((await relay.drain({ maxJobs: 1 })).completed).toBe(1);
    expect(seen).toEqual([{ to: "relay@example.com" }]);
    const [send] = producer.spans();
    const [relayed] = sdk.spans().filter((span) => span.name === "process emails");
    const [handled] = endpointSdk.spans();
    for (const span of [relayed, handled]) {
      expect(span!.spanContext().traceId).toBe(send!.spanContext().traceId);
      expect(span!.parentSpanContext?.spanId).toBe(send!.spanContext().spanId);
    }
    await producer.shutdown();
    await endpointSdk.shutdown();
  });
});
