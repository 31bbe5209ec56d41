/**
 * The `logger` option with the real console, pino and winston: a worker that cannot reach Zizq
 * logs the error and its cause once, then one line per further attempt; handlers log through
 * `ctx.log` at every level.
 */
import { Console } from "node:console";
import { createServer } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import winston from "winston";
import { Client, defineJob, type LoggerOption, Router, Worker } from "../../../src/index.ts";
import { createTestServer } from "../../../src/testing/index.ts";
import { eventually } from "../../support/wait.ts";

/** A stream that keeps what is written to it. */
function sink(): Writable & { text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(stream, { text: () => chunks.join("") });
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let stopWorker: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stopWorker?.();
  stopWorker = undefined;
});

/** Runs a worker against a closed port until `logged()` has seen `attempts` open failures, then stops it. */
async function failToConnect(logger: LoggerOption, failuresLogged: () => number, attempts = 4): Promise<void> {
  const client = new Client({ url: `http://127.0.0.1:${await closedPort()}` });
  const worker = new Worker({ client, router: new Router(), logger, reconnect: { initialDelayMs: 1, maxDelayMs: 5 } });
  const running = worker.run();
  stopWorker = async () => {
    await worker.stop();
    await running;
  };
  await eventually(() => expect(failuresLogged()).toBeGreaterThanOrEqual(attempts), `${attempts} failed connects to be logged`, 10_000, 5);
  await stopWorker();
  stopWorker = undefined;
}

const OPEN_FAILED = "could not open the take stream";

describe("a worker that cannot reach Zizq", () => {
  it("logs to pino the error with its cause once, then a line per attempt with the next delay", async () => {
    const out = sink();
    const logger = pino({ level: "debug" }, out);
    const failures = () => jsonLines(out.text()).filter((line) => String(line.msg).startsWith(OPEN_FAILED));
    await failToConnect(logger, () => failures().length);

    const [first, ...later] = failures();
    expect(first).toMatchObject({ level: 40, msg: expect.stringMatching(/^could not open the take stream; retrying in \d+ ms$/) });
    const err = first!.err as { type: string; message: string; stack: string; request: unknown };
    expect(err.type).toBe("ZizqConnectionError");
    expect(err.request).toEqual({ method: "GET", path: expect.stringContaining("/jobs/take"), url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/jobs\/take/) });
    // pino's serializer appends each cause's stack: the fetch's TypeError and the socket's error.
    expect(err.stack).toContain("caused by: TypeError: fetch failed");
    expect(err.stack).toMatch(/caused by: Error: connect ECONNREFUSED 127\.0\.0\.1:\d+/);
    for (const [i, line] of later.entries()) {
      expect(line.err).toBeUndefined();
      expect(line.msg).toMatch(new RegExp(`^could not open the take stream \\(attempt ${i + 2}: GET /jobs/take.*ECONNREFUSED.*\\); retrying in \\d+ ms$`));
    }
  });

  it("logs to winston the error's message, stack and cause chain as JSON fields", async () => {
    const out = sink();
    const logger = winston.createLogger({ level: "debug", format: winston.format.json(), transports: [new winston.transports.Stream({ stream: out })] });
    const failures = () => jsonLines(out.text()).filter((line) => String(line.message).startsWith(OPEN_FAILED));
    await failToConnect(logger, () => failures().length);

    const [first, ...later] = failures();
    expect(first).toMatchObject({ level: "warn", message: expect.stringMatching(/^could not open the take stream; retrying in \d+ ms$/) });
    expect(first!.error).toMatchObject({
      name: "ZizqConnectionError",
      message: expect.stringContaining("could not reach the Zizq server"),
      stack: expect.stringContaining("ZizqConnectionError"),
      request: { method: "GET" },
      cause: {
        name: "TypeError",
        message: "fetch failed",
        cause: { code: "ECONNREFUSED", message: expect.stringContaining("connect ECONNREFUSED") },
      },
    });
    for (const line of later) {
      expect(line.error).toBeUndefined();
      expect(line.message).toMatch(/^could not open the take stream \(attempt \d+: .*ECONNREFUSED.*\); retrying in \d+ ms$/);
    }
  });

  it("prints to console the stack and cause once, then one line per attempt", async () => {
    const out = sink();
    const logger = new Console({ stdout: out, stderr: out, colorMode: false });
    const failures = () => out.text().split("\n").filter((line) => line.startsWith(OPEN_FAILED));
    await failToConnect(logger, () => failures().length);

    const text = out.text();
    const [first, ...later] = text.split(new RegExp(`(?=^${OPEN_FAILED})`, "m"));
    expect(first).toMatch(/^could not open the take stream; retrying in \d+ ms ZizqConnectionError: GET \/jobs\/take/);
    expect(first).toMatch(/\n {4}at /);
    expect(first).toContain("[cause]: TypeError: fetch failed");
    expect(first).toMatch(/\[cause\]: Error: connect ECONNREFUSED 127\.0\.0\.1:\d+/);
    expect(later.length).toBeGreaterThanOrEqual(3);
    for (const block of later) expect(block).toMatch(/^could not open the take stream \(attempt \d+: [^\n]*ECONNREFUSED[^\n]*\); retrying in \d+ ms\n$/);
  });
});

const Email = defineJob<{ to: string }>({ type: "email", queue: "mail" });

describe("ctx.log", () => {
  it("has every level, and reaches a pino child logger as fields plus a message", async () => {
    const server = createTestServer();
    const client = new Client({ url: "http://zizq.test", fetch: server.fetch });
    await client.enqueue(Email, { to: "a@example.com" });
    const out = sink();
    const router = new Router().route(Email, (payload, ctx) => {
      ctx.log.debug("rendering", { to: payload.to });
      ctx.log.info("sent", { to: payload.to });
      ctx.log.warn("slow");
      ctx.log.error("bounced", { error: new Error("mailbox full") });
    });
    const logger = pino({ level: "debug" }, out).child({ component: "mailer" });
    const worker = new Worker({ client, router, logger });
    await worker.drain({ maxJobs: 1 });

    const lines = jsonLines(out.text()).map(({ level, msg, to, err, component }) => ({ level, msg, to, err: (err as { message?: string })?.message, component }));
    expect(lines).toEqual([
      { level: 20, msg: "rendering", to: "a@example.com", err: undefined, component: "mailer" },
      { level: 30, msg: "sent", to: "a@example.com", err: undefined, component: "mailer" },
      { level: 40, msg: "slow", to: undefined, err: undefined, component: "mailer" },
      { level: 50, msg: "bounced", to: undefined, err: "mailbox full", component: "mailer" },
    ]);
  });
});
