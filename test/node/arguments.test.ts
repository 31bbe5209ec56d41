/**
 * Every public call with a bad option or argument throws a `ZizqArgumentError` naming it, and
 * nothing reaches the server: one row per call and bad value, against the in-process test server
 * behind a counting fetch.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { ENQUEUE_OPTION_KEYS } from "../../src/protocol/mapping/enqueue.ts";
import { createPushHandler } from "../../src/push/endpoint.ts";
import {
  Client,
  AckBatcher,
  type ClientOptions,
  collectBatch,
  createRelay,
  defineJob,
  PushDelivery,
  Router,
  runUntilSignalled,
  Worker,
  type WorkerOptions,
  type EnqueueOptions,
  ZizqArgumentError,
} from "../../src/index.ts";
import { createTestServer } from "../../src/testing/index.ts";

const Plain = defineJob<{ n: number }>({ type: "plain", queue: "q" });
const Keyed = defineJob<{ n: number }>({ type: "keyed", queue: "q", unique: { key: (() => 5) as unknown as () => string } });
const Batched = defineJob<{ n: number }>({ type: "batched", queue: "q", batch: (() => "x") as unknown as () => never });

interface Context {
  client: Client;
  worker: Worker;
  /** A worker with these options over the counting client. */
  workerWith(options: Partial<WorkerOptions>): Worker;
  clientWith(options: Partial<ClientOptions>): Client;
}

/** Whatever the call throws or rejects with. */
async function failure(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

// Casts let a row pass what the types forbid: a caller in JavaScript, or with `as any`, can.
const bad = (value: unknown) => value as never;
const entry = (overrides: Record<string, unknown>) => bad({ name: "e", expression: "* * * * *", job: Plain.with({ n: 1 }), ...overrides });
const log = { warn() {}, error() {} };
const SECRET = `whsec_${btoa("a secret of thirty-two bytes....")}`;
const signals = { on() {}, off() {} };
const delivery = { endpoint: "http://push.test/", secret: SECRET, logger: log };

/** [call, field named in the error, what is wrong]. */
const ROWS: [string, string, (c: Context) => unknown][] = [
  // --- new Client(options) ---
  ["new Client()", "options", () => new Client(bad(undefined))],
  ["new Client(null)", "options", () => new Client(bad(null))],
  ["url without a scheme", "url", (c) => c.clientWith({ url: "zizq.test" })],
  ["url that does not parse", "url", (c) => c.clientWith({ url: "http://" })],
  ["fetch not a function", "fetch", (c) => c.clientWith({ fetch: bad("fetch") })],
  ["format unknown", "format", (c) => c.clientWith({ format: bad("xml") })],
  ["timeoutMs as a string", "timeoutMs", (c) => c.clientWith({ timeoutMs: bad("10s") })],
  ["timeoutMs negative", "timeoutMs", (c) => c.clientWith({ timeoutMs: -1 })],
  ["timeoutMs zero", "timeoutMs", (c) => c.clientWith({ timeoutMs: 0 })],
  ["timeoutMs past what a timer takes", "timeoutMs", (c) => c.clientWith({ timeoutMs: 2 ** 31 })],
  ["timeoutMs true", "timeoutMs", (c) => c.clientWith({ timeoutMs: bad(true) })],
  ["retry as a number", "retry", (c) => c.clientWith({ retry: bad(3) })],
  ["retry.limit negative", "retry.limit", (c) => c.clientWith({ retry: { limit: -1 } })],
  ["retry.limit fractional", "retry.limit", (c) => c.clientWith({ retry: { limit: 1.5 } })],
  ["retry.initialDelayMs as text", "retry.initialDelayMs", (c) => c.clientWith({ retry: { initialDelayMs: bad("soon") } })],
  ["retry.maxDelayMs negative", "retry.maxDelayMs", (c) => c.clientWith({ retry: { maxDelayMs: -5 } })],
  ["retry with a misspelt key", "retry.limt", (c) => c.clientWith({ retry: bad({ limt: 2 }) })],
  ["headers as a string", "headers", (c) => c.clientWith({ headers: bad("x") })],
  ["a header value not a string", "headers.x-n", (c) => c.clientWith({ headers: bad({ "x-n": 1 }) })],
  ["a header name with a space", "headers.bad name", (c) => c.clientWith({ headers: { "bad name": "x" } })],
  ["a header value with a line break", "headers.x-a", (c) => c.clientWith({ headers: { "x-a": "a\r\nb" } })],
  ["now not a function", "now", (c) => c.clientWith({ now: bad(5) })],

  // --- client.enqueue(definition, payload, options) ---
  ["enqueue with a type name", "definition", (c) => c.client.enqueue(bad("plain"), { n: 1 })],
  ["enqueue options null", "options", (c) => c.client.enqueue(Plain, { n: 1 }, bad(null))],
  ["enqueue options a string", "options", (c) => c.client.enqueue(Plain, { n: 1 }, bad("5m"))],
  ["priority negative", "options.priority", (c) => c.client.enqueue(Plain, { n: 1 }, { priority: -1 })],
  ["priority as a string", "options.priority", (c) => c.client.enqueue(Plain, { n: 1 }, { priority: bad("1") })],
  ["retryLimit fractional", "options.retryLimit", (c) => c.client.enqueue(Plain, { n: 1 }, { retryLimit: 1.5 })],
  ["uniqueKey a number", "options.uniqueKey", (c) => c.client.enqueue(Plain, { n: 1 }, { uniqueKey: bad(123) })],
  ["uniqueWhile unknown", "options.uniqueWhile", (c) => c.client.enqueue(Plain, { n: 1 }, { uniqueKey: "k", uniqueWhile: bad("forever") })],
  ["uniqueWhile without uniqueKey", "uniqueWhile", (c) => c.client.enqueue(Plain, { n: 1 }, { uniqueWhile: "active" })],
  ["batch a string", "options.batch", (c) => c.client.enqueue(Plain, { n: 1 }, { batch: bad("x") })],
  ["batch without when", "options.batch.when", (c) => c.client.enqueue(Plain, { n: 1 }, { batch: bad({ key: "k", fold: "." }) })],
  ["delay in words", "delay", (c) => c.client.enqueue(Plain, { n: 1 }, { delay: bad("5 minutes") })],
  ["delay negative", "delay", (c) => c.client.enqueue(Plain, { n: 1 }, { delay: -1 })],
  ["delay an object", "delay", (c) => c.client.enqueue(Plain, { n: 1 }, { delay: bad({ minutes: 5 }) })],
  ["readyAt as text", "readyAt", (c) => c.client.enqueue(Plain, { n: 1 }, { readyAt: bad("tomorrow") })],
  ["readyAt an invalid Date", "readyAt", (c) => c.client.enqueue(Plain, { n: 1 }, { readyAt: new Date(Number.NaN) })],
  ["both delay and readyAt", "options.delay", (c) => c.client.enqueue(Plain, { n: 1 }, { delay: "5m", readyAt: Date.now() })],
  ["backoff a string", "options.backoff", (c) => c.client.enqueue(Plain, { n: 1 }, { backoff: bad("fast") })],
  ["backoff.exponent as text", "options.backoff.exponent", (c) => c.client.enqueue(Plain, { n: 1 }, { backoff: bad({ exponent: "2", base: 1, jitter: 1 }) })],
  ["backoff.base in words", "options.backoff.base", (c) => c.client.enqueue(Plain, { n: 1 }, { backoff: bad({ exponent: 2, base: "soon", jitter: 0 }) })],
  ["retention a number", "options.retention", (c) => c.client.enqueue(Plain, { n: 1 }, { retention: bad(5) })],
  ["retention.completed as text", "options.retention.completed", (c) => c.client.enqueue(Plain, { n: 1 }, { retention: { completed: bad("x") } })],
  ["a unique key function that returns no string", "unique.key", (c) => c.client.enqueue(Keyed, { n: 1 })],
  ["a batch function that returns no config", "batch", (c) => c.client.enqueue(Batched, { n: 1 })],

  // --- client.enqueueBulk(requests), client.enqueueRaw(raw) ---
  ["enqueueBulk with a string", "requests", (c) => c.client.enqueueBulk(bad("jobs"))],
  ["enqueueBulk with null in the list", "requests[1]", (c) => c.client.enqueueBulk([Plain.with({ n: 1 }), bad(null)])],
  ["enqueueBulk with a plain object", "requests[0]", (c) => c.client.enqueueBulk([bad({ payload: 1 })])],
  ["enqueueBulk with bad options inside", "options.priority", (c) => c.client.enqueueBulk([Plain.with({ n: 1 }, { priority: 1e6 })])],
  ["enqueue in snake_case", "options.ready_at", (c) => c.client.enqueue(Plain, { n: 1 }, bad({ priority: 3, ready_at: 5, retry_limit: 1 }))],
  ["with() in snake_case, in enqueueBulk", "options.retry_limit", (c) => c.client.enqueueBulk([Plain.with({ n: 1 }, bad({ retry_limit: 1 }))])],
  ["enqueueRaw null", "job", (c) => c.client.enqueueRaw(bad(null))],
  ["enqueueRaw in snake_case", "job.ready_at", (c) => c.client.enqueueRaw(bad({ type: "t", queue: "q", payload: 1, ready_at: 5 }))],
  ["enqueueRaw with an empty type", "type", (c) => c.client.enqueueRaw({ type: "", queue: "q", payload: 1 })],

  // --- defineJob(config) ---
  ["defineJob()", "config", () => defineJob(bad(undefined))],
  ["defineJob type a number", "type", () => defineJob({ type: bad(5), queue: "q" })],
  ["defineJob type with a comma", "type", () => defineJob({ type: "a,b", queue: "q" })],
  ["defineJob queue empty", "queue", () => defineJob({ type: "t", queue: "" })],
  ["defineJob in snake_case", "config.retry_limit", () => defineJob(bad({ type: "t", queue: "q", retry_limit: 1 }))],
  ["defineJob schema not a schema", "schema", () => defineJob({ type: "t", queue: "q", schema: bad({}) })],
  ["defineJob priority fractional", "priority", () => defineJob({ type: "t", queue: "q", priority: 1.5 })],
  ["defineJob retryLimit negative", "retryLimit", () => defineJob({ type: "t", queue: "q", retryLimit: -1 })],
  ["defineJob backoff.exponent NaN", "backoff.exponent", () => defineJob({ type: "t", queue: "q", backoff: { exponent: Number.NaN, base: 1, jitter: 1 } })],
  ["defineJob retention.dead negative", "retention.dead", () => defineJob({ type: "t", queue: "q", retention: { dead: -1 } })],
  ["defineJob unique a string", "unique", () => defineJob({ type: "t", queue: "q", unique: bad("k") })],
  ["defineJob unique.key a number", "unique.key", () => defineJob({ type: "t", queue: "q", unique: bad({ key: 5 }) })],
  ["defineJob unique.while unknown", "unique.while", () => defineJob({ type: "t", queue: "q", unique: { key: "k", while: bad("always") } })],
  ["defineJob batch.key a number", "batch.key", () => defineJob({ type: "t", queue: "q", batch: bad({ key: 1, when: "true", fold: "." }) })],

  // --- client.take(options) ---
  ["take options null", "options", (c) => c.client.take(bad(null))],
  ["take queues a string", "queues", (c) => c.client.take({ queues: bad("emails") })],
  ["take openTimeoutMs as a duration string", "openTimeoutMs", (c) => c.client.take({ openTimeoutMs: bad("9s") })],
  ["take queues with an empty name", "queues[1]", (c) => c.client.take({ queues: ["a", ""] })],
  ["take queues with a comma", "queues[0]", (c) => c.client.take({ queues: ["a,b"] })],
  ["take prefetch negative", "prefetch", (c) => c.client.take({ prefetch: -1 })],
  ["take prefetch as text", "prefetch", (c) => c.client.take({ prefetch: bad("1") })],
  ["take format unknown", "format", (c) => c.client.take({ format: bad("xml") })],
  ["take workerId a number", "workerId", (c) => c.client.take({ workerId: bad(5) })],
  ["take workerId with a line break", "workerId", (c) => c.client.take({ workerId: "a\nb" })],
  ["take signal not a signal", "signal", (c) => c.client.take({ signal: bad({}) })],
  ["take maxFrameBytes zero", "maxFrameBytes", (c) => c.client.take({ maxFrameBytes: 0 })],

  // --- acks, failures, single jobs ---
  ["ack without an id", "id", (c) => c.client.ack(bad(undefined))],
  ["ackMany with a string", "ids", (c) => c.client.ackMany(bad("abc"))],
  ["ackMany with a number inside", "ids[1]", (c) => c.client.ackMany(["a", bad(5)])],
  ["fail with null", "failure", (c) => c.client.fail("a", bad(null))],
  ["fail message a number", "failure.message", (c) => c.client.fail("a", { message: bad(5) })],
  ["fail kill as text", "failure.kill", (c) => c.client.fail("a", { message: "m", kill: bad("yes") })],
  ["fail errorType a number", "failure.errorType", (c) => c.client.fail("a", { message: "m", errorType: bad(5) })],
  ["fail retryAt in words", "failure.retryAt", (c) => c.client.fail("a", { message: "m", retryAt: bad("soon") })],
  ["getJob with an empty id", "id", (c) => c.client.getJob("")],
  ["patchJob with null", "patch", (c) => c.client.patchJob("a", bad(null))],
  ["patchJob priority too big", "patch.priority", (c) => c.client.patchJob("a", { priority: 70_000 })],
  ["patchJob queue empty", "patch.queue", (c) => c.client.patchJob("a", { queue: "" })],
  ["patchJob retention a string", "patch.retention", (c) => c.client.patchJob("a", { retention: bad("x") })],
  ["patchJob payload", "patch.payload", (c) => c.client.patchJob("a", bad({ payload: {} }))],
  ["deleteJob with a number", "id", (c) => c.client.deleteJob(bad(5))],
  ["getError attempt 0", "attempt", (c) => c.client.getError("a", 0)],
  ["errors page size 0", "pageSize", (c) => c.client.errors("a").pageSize(0).toArray()],

  // --- client.jobs(filter) ---
  ["jobs(null)", "filter", (c) => c.client.jobs(bad(null)).count()],
  ["jobs with a string", "filter", (c) => c.client.jobs(bad("emails")).toArray()],
  ["jobs filter key misspelt", "filter.staus", (c) => c.client.jobs(bad({ staus: "ready" })).count()],
  ["jobs queue with a comma", "filter.queue[0]", (c) => c.client.jobs({ queue: "a,b" }).count()],
  ["jobs status unknown", "filter.status[0]", (c) => c.client.jobs({ status: bad("done") }).count()],
  ["jobs priority range upside down", "filter.priority", (c) => c.client.jobs({ priority: { min: 5, max: 1 } }).count()],
  ["jobs order unknown", "order", (c) => c.client.jobs().order(bad("up")).toArray()],
  ["jobs page size too big", "pageSize", (c) => c.client.jobs().pageSize(5000).toArray()],
  ["updateAll with null", "patch", (c) => c.client.jobs().updateAll(bad(null))],

  // --- client.crons ---
  ["crons.get with an empty group", "group", (c) => c.client.crons.get("")],
  ["crons.put with a group with a comma", "group", (c) => c.client.crons.put("a,b", { entries: [] })],
  ["crons.put with null", "spec", (c) => c.client.crons.put("g", bad(null))],
  ["crons.put entries a string", "spec.entries", (c) => c.client.crons.put("g", { entries: bad("e") })],
  ["crons.put paused as text", "spec.paused", (c) => c.client.crons.put("g", { paused: bad("yes"), entries: [] })],
  ["crons.put entry name empty", "entries[0].name", (c) => c.client.crons.put("g", { entries: [entry({ name: "" })] })],
  ["crons.put expression a number", "entries[0].expression", (c) => c.client.crons.put("g", { entries: [entry({ expression: 5 })] })],
  ["crons.put timezone a number", "entries[0].timezone", (c) => c.client.crons.put("g", { entries: [entry({ timezone: 1 })] })],
  ["crons.put job not a request", "entries[0].job", (c) => c.client.crons.put("g", { entries: [entry({ job: {} })] })],
  ["crons.put job with a delay", "entries[0].job", (c) => c.client.crons.put("g", { entries: [entry({ job: Plain.with({ n: 1 }, { delay: "5m" }) })] })],
  ["crons.addEntry with null", "entry", (c) => c.client.crons.addEntry("g", bad(null))],
  ["crons.getEntry with an empty name", "name", (c) => c.client.crons.getEntry("g", "")],
  ["crons.pauseEntry with a bad group", "group", (c) => c.client.crons.pauseEntry("*", "e")],
  ["crons.delete with a number", "group", (c) => c.client.crons.delete(bad(5))],

  // --- new Worker(options) ---
  ["new Worker(null)", "options", () => new Worker(bad(null))],
  ["Worker without a client", "client", (c) => c.workerWith({ client: bad({}) })],
  ["Worker without a router", "router", (c) => c.workerWith({ router: bad({}) })],
  ["Worker queues a string", "queues", (c) => c.workerWith({ queues: bad("emails") })],
  ["Worker queues with a number", "queues[1]", (c) => c.workerWith({ queues: ["a", bad(5)] })],
  ["Worker concurrency 0", "concurrency", (c) => c.workerWith({ concurrency: 0 })],
  ["Worker prefetch 0", "prefetch", (c) => c.workerWith({ prefetch: 0 })],
  ["Worker format unknown", "format", (c) => c.workerWith({ format: bad("xml") })],
  ["Worker workerId a number", "workerId", (c) => c.workerWith({ workerId: bad(5) })],
  ["Worker jobTimeout in words", "jobTimeout", (c) => c.workerWith({ jobTimeout: bad("forever") })],
  ["Worker jobTimeout past what a timer takes", "jobTimeout", (c) => c.workerWith({ jobTimeout: "30d" })],
  ["Worker idleTimeout 0", "idleTimeout", (c) => c.workerWith({ idleTimeout: 0 })],
  ["Worker shutdownTimeout negative", "shutdownTimeout", (c) => c.workerWith({ shutdownTimeout: -1 })],
  ["Worker reconnect a string", "reconnect", (c) => c.workerWith({ reconnect: bad("fast") })],
  ["Worker reconnect key misspelt", "reconnect.initialDelay", (c) => c.workerWith({ reconnect: bad({ initialDelay: 5 }) })],
  ["Worker reconnect.maxDelayMs as text", "reconnect.maxDelayMs", (c) => c.workerWith({ reconnect: { maxDelayMs: bad("x") } })],
  ["Worker maxFrameBytes 0", "maxFrameBytes", (c) => c.workerWith({ maxFrameBytes: 0 })],
  ["Worker acks a number", "acks", (c) => c.workerWith({ acks: bad(1) })],
  ["Worker acks.maxBatch 0", "acks.maxBatch", (c) => c.workerWith({ acks: { maxBatch: 0 } })],
  ["Worker acks.retry with a key it does not have", "acks.retry.limit", (c) => c.workerWith({ acks: { retry: bad({ limit: 3 }) } })],
  ["Worker acks.retry.maxDelayMs negative", "acks.retry.maxDelayMs", (c) => c.workerWith({ acks: { retry: { maxDelayMs: -1 } } })],
  ["Worker hooks a string", "hooks", (c) => c.workerWith({ hooks: bad("x") })],
  ["Worker hook not a function", "hooks.onJobStart", (c) => c.workerWith({ hooks: { onJobStart: bad("x") } })],
  ["Worker hook misspelt", "hooks.onJobStrat", (c) => c.workerWith({ hooks: bad({ onJobStrat() {} }) })],
  ["Worker logger without warn", "logger.warn", (c) => c.workerWith({ logger: bad({ error() {} }) })],
  ["Worker logger.info not a function", "logger.info", (c) => c.workerWith({ logger: bad({ ...log, info: 5 }) })],
  ["Worker random not a function", "random", (c) => c.workerWith({ random: bad(0.5) })],

  // --- worker.run, drain, stop ---
  ["run with a string for a signal", "signal", (c) => c.worker.run(bad("stop"))],
  ["drain(null)", "options", (c) => c.worker.drain(bad(null))],
  ["drain maxJobs 0", "maxJobs", (c) => c.worker.drain({ maxJobs: 0 })],
  ["drain idleMs (deprecated) 0", "idleMs", (c) => c.worker.drain({ idleMs: 0 })],
  ["drain maxMs (deprecated) in words", "maxMs", (c) => c.worker.drain({ maxMs: bad("a while") })],
  ["drain maxIdle 0", "maxIdle", (c) => c.worker.drain({ maxIdle: 0 })],
  ["drain maxDuration in words", "maxDuration", (c) => c.worker.drain({ maxDuration: bad("a while") })],
  ["drain maxDuration and its deprecated maxMs", "maxMs", (c) => c.worker.drain({ maxDuration: "1s", maxMs: 1_000 })],
  ["drain maxIdle and its deprecated idleMs", "idleMs", (c) => c.worker.drain({ maxIdle: "1s", idleMs: 1_000 })],
  ["drain signal not a signal", "signal", (c) => c.worker.drain({ signal: bad({ aborted: false }) })],
  ["stop(null)", "options", (c) => c.worker.stop(bad(null))],
  ["stop timeout in words", "timeout", (c) => c.worker.stop({ timeout: bad("soon") })],
  ["stop immediate as text", "immediate", (c) => c.worker.stop({ immediate: bad("yes") })],

  // --- PushDelivery, createRelay, createPushHandler ---
  ["PushDelivery(null)", "options", () => new PushDelivery(bad(null))],
  ["PushDelivery fetch a string", "fetch", () => new PushDelivery({ ...delivery, fetch: bad("fetch") })],
  ["PushDelivery headers with a number", "headers.x-n", () => new PushDelivery({ ...delivery, headers: bad({ "x-n": 1 }) })],
  ["PushDelivery timeout past what a timer takes", "timeout", () => new PushDelivery({ ...delivery, timeout: "30d" })],
  ["PushDelivery timeout and its deprecated timeoutMs", "timeoutMs", () => new PushDelivery({ ...delivery, timeout: "5s", timeoutMs: 5_000 })],
  ["PushDelivery logger without error", "logger.error", () => new PushDelivery({ ...delivery, logger: bad({ warn() {} }) })],
  ["PushDelivery now a number", "now", () => new PushDelivery({ ...delivery, now: bad(1) })],
  ["createRelay(null)", "options", () => createRelay(bad(null))],
  ["collectBatch(null)", "options", () => collectBatch(bad(null))],
  ["createRelay queues a string", "queues", (c) => createRelay({ ...delivery, client: c.client, logger: log, queues: bad("emails") })],
  ["createPushHandler(null)", "options", () => createPushHandler(bad(null))],
  ["createPushHandler acks.retry.maxDelayMs negative", "acks.retry.maxDelayMs", (c) => createPushHandler({ router: new Router(), secrets: SECRET, client: c.client, acks: { retry: { maxDelayMs: -1 } } })],
  ["createPushHandler acks with a misspelt key", "acks.maxbatch", (c) => createPushHandler({ router: new Router(), secrets: SECRET, client: c.client, acks: bad({ maxbatch: 10 }) })],
  ["new AckBatcher with onFlush a string", "onFlush", (c) => new AckBatcher(c.client, { onFlush: bad("log") })],
  ["createPushHandler onError a string", "onError", () => createPushHandler({ router: new Router(), secrets: SECRET, onError: bad("log") })],
  ["createPushHandler logger a string", "logger", () => createPushHandler({ router: new Router(), secrets: SECRET, logger: bad("console") })],
  ["createPushHandler skip flag as text", "dangerouslySkipVerification", () => createPushHandler({ router: new Router(), dangerouslySkipVerification: bad("yes") })],

  // --- runUntilSignalled ---
  ["runUntilSignalled shutdownTimeout in words", "shutdownTimeout", (c) => runUntilSignalled(c.worker, signals, { shutdownTimeout: bad("soon") })],
  ["runUntilSignalled signals a string", "signals", (c) => runUntilSignalled(c.worker, signals, { signals: bad("SIGTERM") })],
  ["runUntilSignalled logger without warn", "logger.warn", (c) => runUntilSignalled(c.worker, signals, { logger: bad({ error() {} }) })],

  // --- Router ---
  ["route with a type name", "definition", () => new Router().route(bad("plain"), () => {})],
  ["route with a handler that is not a function", "handler", () => new Router().route(Plain, bad("send"))],
  ["fallback not a function", "handler", () => new Router().fallback(bad(5))],
];

describe("argument checks over the public surface", () => {
  const server = createTestServer();
  const sent = { requests: 0 };
  const fetch: typeof globalThis.fetch = (input, init) => {
    sent.requests++;
    return server.fetch(input, init);
  };
  const clientWith = (options: Partial<ClientOptions>) => new Client({ url: "http://zizq.test", fetch, retry: false, ...options });
  const client = clientWith({});
  const router = new Router().route(Plain, () => {});
  const workerWith = (options: Partial<WorkerOptions>) => new Worker({ client, router, logger: log, ...options });
  const context: Context = { client, worker: workerWith({}), workerWith, clientWith };

  it.each(ROWS)("%s: ZizqArgumentError naming %s, nothing sent", async (_, field, call) => {
    sent.requests = 0;
    const error = await failure(() => call(context));
    expect(error).toBeInstanceOf(ZizqArgumentError);
    expect((error as ZizqArgumentError).field).toBe(field);
    expect((error as Error).message.startsWith(`${field}: `)).toBe(true);
    expect(sent.requests).toBe(0);
  });

  it("the list of enqueue option keys that unknown keys are checked against is every key of EnqueueOptions", () => {
    expectTypeOf<(typeof ENQUEUE_OPTION_KEYS)[number]>().toEqualTypeOf<keyof EnqueueOptions>();
  });

  it("names what it got: queues: expected an array of queue names, got \"emails\"", () => {
    expect(() => workerWith({ queues: bad("emails") })).toThrow('queues: expected an array of queue names, got "emails"');
  });

  it("the same values, given well, are sent: the rows above fail on the value alone", async () => {
    sent.requests = 0;
    await client.enqueue(Plain, { n: 1 }, { priority: 1, delay: "5m", backoff: { exponent: 2, base: "1s", jitter: 0 } });
    await client.jobs({ queue: "q", status: ["scheduled"] }).count();
    expect(sent.requests).toBe(2);
  });
});
