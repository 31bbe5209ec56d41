#!/usr/bin/env node
/**
 * Run the in-memory Zizq test server on a real port (HTTP/1.1 and h2c on the same port).
 *
 *   zizq-edge-dev-server --port 7890 [--host 127.0.0.1] [--pro] [--heartbeat 3s] [--zizq-version 0.6.1]
 *
 * Installed as the package's bin (built to dist/dev-server.js); `npm run server --` runs it
 * from a checkout.
 */
import { parseArgs } from "node:util";
import { nodeJqThread, serve } from "../adapters/node.ts";
import { ZizqError } from "../src/errors/zizq-error.ts";
import type { TestServerOptions } from "../src/testing/types.ts";
import type { Duration } from "../src/types/time.ts";
import { toMs } from "../src/utils/duration.ts";

const USAGE = `Usage: zizq-edge-dev-server [options]   (from a checkout: npm run server -- [options])

Runs the in-memory Zizq test server. It speaks HTTP/1.1 and HTTP/2 (h2c) on one port.

Options:
  --port <n>                     Port to listen on; 0 picks a free one (default 7890)
  --host <address>               Address to bind (default 127.0.0.1)
  --pro                          Run with a Pro license (cron, unique and batched jobs)
  --heartbeat <duration>         Silence on a take stream before a heartbeat, e.g. 500ms, 3s, 1m
                                 (default 3s)
  --global-in-flight-limit <n>   Jobs in flight across all take streams; 0 = unlimited
                                 (default 1024)
  --zizq-version <version>       The Zizq version to act out: 0.7.0 (budgets, cron group
                                 time zones) or 0.6.1, answering as that release did
                                 (default 0.7.0)
  --max-budgets <n>              Most budgets the server holds (default 8192)
  -h, --help                     Show this help
`;

/** A bad command line: the message names the flag; the process exits with code 2. */
class UsageError extends Error {}

function parseCommandLine(args: string[]): { help: boolean; port: number; host: string; options: TestServerOptions } {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        pro: { type: "boolean" },
        heartbeat: { type: "string" },
        "global-in-flight-limit": { type: "string" },
        "zizq-version": { type: "string" },
        "max-budgets": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    // parseArgs already names the flag ("Unknown option '--prot'", "Option '--port <value>'
    // argument missing").
    throw new UsageError((error as Error).message);
  }

  // Payload filters run on a worker thread, so one that never ends cannot freeze the server.
  const options: TestServerOptions = { jqThread: nodeJqThread };
  if (values.pro) options.license = "pro";
  if (values.heartbeat !== undefined) options.heartbeatMs = parseDuration("--heartbeat", values.heartbeat);
  const limit = values["global-in-flight-limit"];
  if (limit !== undefined) options.globalInFlightLimit = parseInteger("--global-in-flight-limit", limit, 0);
  const version = values["zizq-version"];
  if (version !== undefined) {
    if (!/^\d+\.\d+\.\d+/.test(version)) throw new UsageError(`--zizq-version must be a version such as 0.6.1 or 0.7.0, got '${version}'`);
    options.version = version;
  }
  const maxBudgets = values["max-budgets"];
  if (maxBudgets !== undefined) options.maxBudgets = parseInteger("--max-budgets", maxBudgets, 1);

  const host = values.host ?? "127.0.0.1";
  if (host === "") throw new UsageError("--host needs an address, e.g. 127.0.0.1");
  return {
    help: values.help ?? false,
    port: values.port === undefined ? 7890 : parseInteger("--port", values.port, 0, 65535),
    host,
    options,
  };
}

function parseInteger(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new UsageError(`${flag} must be ${range}, got '${text}'`);
  }
  return n;
}

/** `500ms`, `3s`, `1.5s`, `1m` -> milliseconds (a positive whole number), as the client reads durations. */
function parseDuration(flag: string, text: string): number {
  let ms = 0;
  try {
    ms = toMs(text as Duration, flag);
  } catch {
    // Reported below with the flag's own wording.
  }
  if (!(ms > 0)) throw new UsageError(`${flag} must be a positive duration such as 500ms, 3s or 1m, got '${text}'`);
  return ms;
}

async function main(): Promise<void> {
  const config = (() => {
    try {
      return parseCommandLine(process.argv.slice(2));
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      process.stderr.write(`test-server: ${error.message}\nRun with --help for the options.\n`);
      return process.exit(2);
    }
  })();
  if (config.help) {
    process.stdout.write(USAGE);
    return;
  }

  // Loaded here, not imported above, so that a missing optional package is one line naming it.
  const { createTestServer } = await import("../src/testing/index.ts").catch(exitIfMissingPackage);
  const server = createTestServer(config.options);
  const handle = await serve(server, { port: config.port, hostname: config.host }).catch((error: Error) => {
    server.close();
    if (error instanceof ZizqError) exitIfMissingPackage(error);
    process.stderr.write(`test-server: cannot listen on ${config.host}:${config.port}: ${error.message}\n`);
    return process.exit(1);
  });
  process.stdout.write(`Listening on ${handle.url}\n`);

  const stop = async (): Promise<void> => {
    // End take streams the way a server shutdown does (held jobs go back to ready), then
    // close the port and whatever connections are left.
    server.close();
    await handle.close();
    process.exit(0);
  };
  // `once`: a second Ctrl-C finds no handler left and kills the process the default way, in
  // case shutting down ever hangs.
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

/** A setup error (an optional package not installed) is told in its own words, with no stack; anything else is rethrown. */
function exitIfMissingPackage(error: unknown): never {
  if (!(error instanceof ZizqError)) throw error;
  process.stderr.write(`test-server: ${error.message}\n`);
  return process.exit(1);
}

await main();
