/**
 * Cloudflare Workers adapter: a Worker's exported handler that drains jobs on a Cron Trigger and
 * serves the push endpoint, and a Client built from the Worker's `env` (its `ZIZQ_URL` variable,
 * and an mTLS certificate binding or a service binding as the `fetch`).
 *
 * Nothing here runs jobs or talks to Zizq itself: `scheduled` is `Worker.drain` under
 * `ctx.waitUntil`, and the Client is the core one with the binding's `fetch` handed in. The
 * Workers types are described structurally, so the package needs no @cloudflare/workers-types.
 *
 * @module zizq-edge/cloudflare
 */
import { Client, type ClientOptions } from "../src/client/client.ts";
import { ZizqArgumentError } from "../src/errors/argument-error.ts";
import { type Logger, toLogger } from "../src/utils/logger.ts";
import type { Router } from "../src/processing/router.ts";
import type { DrainOptions, DrainSummary } from "../src/worker/drain.ts";
import { Worker } from "../src/worker/worker.ts";
import type { WorkerOptions } from "../src/worker/worker-options.ts";

export type { DrainSummary };

/**
 * The default drain budget of a `scheduled` run, 25 s: within Cloudflare's tightest limits for a
 * frequent Cron Trigger and for `waitUntil` (docs/runtimes.md says which), with room for the last
 * acks. An hourly or daily cron on the Paid plan can raise `drain.maxDuration` towards 15 min.
 */
export const DEFAULT_DRAIN_MS = 25_000;

/** What the adapter uses of a Workers `ExecutionContext`. */
export interface WaitUntilContext {
  waitUntil(promise: Promise<unknown>): void;
}

/** What the adapter uses of a Workers `ScheduledController`. */
export interface ScheduledInfo {
  readonly cron: string;
  readonly scheduledTime: number;
}

/** A Workers fetch handler: `(request, env, ctx) => Response`. */
export type FetchHandler<Env, Ctx extends WaitUntilContext = WaitUntilContext> = (
  request: Request,
  env: Env,
  ctx: Ctx,
) => Response | Promise<Response>;

/** An mTLS certificate binding or a service binding: its `fetch` is the global one's shape. */
export interface FetcherBinding {
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
}

/** How a `scheduled` run drains: the drain's budget and the options of the Worker that runs it. */
export interface ScheduledDrainOptions extends Omit<DrainOptions, "signal">, Omit<WorkerOptions, "client" | "router"> {}

export interface ZizqWorkerOptions<Env, Ctx extends WaitUntilContext = WaitUntilContext> {
  /** Builds the Client of one invocation from the Worker's env, e.g. `(env) => clientFromEnv(env)`. */
  client: (env: Env) => Client;
  /** Runs the jobs a `scheduled` drain takes. */
  router: Router;
  /**
   * The `scheduled` drain (`maxDuration`, `maxJobs`, `maxIdle`, `concurrency`, `queues`, …), or a
   * function of the trigger, e.g. to drain other queues on another cron.
   * @default { maxDuration: DEFAULT_DRAIN_MS }
   * @example drain: (controller) => ({ queues: controller.cron === "0 * * * *" ? ["reports"] : ["emails"] })
   */
  drain?: ScheduledDrainOptions | ((controller: ScheduledInfo, env: Env) => ScheduledDrainOptions);
  /** Receives each drain's summary. Default: one line to the drain's `logger` (default `console`). */
  onDrain?: (summary: DrainSummary, controller: ScheduledInfo, env: Env) => void | Promise<void>;
  /**
   * The push endpoint's fetch handler: it gets every request, or only those to `pushPath` when
   * that is set. Hand the `ExecutionContext` on, so the endpoint settles under `ctx.waitUntil`.
   * @example push: (request, env, ctx) => pushHandler(request, ctx) // createPushHandler from zizq-edge/push
   */
  push?: FetchHandler<Env, Ctx>;
  /**
   * The path (`URL.pathname`) of the push endpoint.
   * @default every path
   */
  pushPath?: string;
  /** Every other request (a producer's routes, a health check). Without it they get 404. */
  fetch?: FetchHandler<Env, Ctx>;
}

/** The Worker's exported handler; `export default` it. */
export interface ZizqExportedHandler<Env, Ctx extends WaitUntilContext = WaitUntilContext> {
  fetch(request: Request, env: Env, ctx: Ctx): Promise<Response>;
  /** Drains under `ctx.waitUntil` and resolves when the drain is done (rejects when it fails). */
  scheduled(controller: ScheduledInfo, env: Env, ctx: Ctx): Promise<void>;
}

/**
 * A Worker's exported handler: `scheduled` (a Cron Trigger) runs one bounded `Worker.drain` under
 * `ctx.waitUntil`; `fetch` serves the push endpoint when `push` is given, and hands everything
 * else to `fetch` (404 without one).
 */
export function zizqWorker<Env, Ctx extends WaitUntilContext = WaitUntilContext>(
  options: ZizqWorkerOptions<Env, Ctx>,
): ZizqExportedHandler<Env, Ctx> {
  return {
    async fetch(request, env, ctx) {
      const { push, pushPath, fetch } = options;
      if (push && (pushPath === undefined || new URL(request.url).pathname === pushPath)) return push(request, env, ctx);
      if (fetch) return fetch(request, env, ctx);
      return new Response("Not Found", { status: 404 });
    },
    scheduled(controller, env, ctx) {
      const run = drainOnce(options, controller, env);
      ctx.waitUntil(run);
      return run;
    },
  };
}

async function drainOnce<Env, Ctx extends WaitUntilContext>(
  options: ZizqWorkerOptions<Env, Ctx>,
  controller: ScheduledInfo,
  env: Env,
): Promise<void> {
  const chosen = typeof options.drain === "function" ? options.drain(controller, env) : options.drain;
  const { maxDuration, maxMs, maxJobs, maxIdle, idleMs, ...workerOptions } = chosen ?? {};
  const worker = new Worker({ ...workerOptions, client: options.client(env), router: options.router });
  const limits = { maxJobs, maxIdle, idleMs, maxMs, maxDuration: maxDuration ?? (maxMs === undefined ? DEFAULT_DRAIN_MS : undefined) };
  const summary = await worker.drain(limits);
  if (options.onDrain) return options.onDrain(summary, controller, env);
  logSummary(toLogger(workerOptions.logger ?? console), summary, controller);
}

function logSummary(logger: Logger, summary: DrainSummary, controller: ScheduledInfo): void {
  const { processed, completed, failed, durationMs, reason } = summary;
  const took = Math.round(durationMs);
  logger.info(`zizq drain (${controller.cron}): ${processed} jobs (${completed} completed, ${failed} failed) in ${took} ms, ended by ${reason}`, summary);
}

export interface ClientFromEnvOptions extends Omit<ClientOptions, "url" | "fetch"> {
  /**
   * The env binding whose `fetch` sends every request: an mTLS certificate binding
   * (`[[mtls_certificates]]`) or a service binding (`[[services]]`). Default `ZIZQ_MTLS` when the
   * env has it; without a binding the global `fetch` is used.
   */
  binding?: string;
}

/**
 * A Client for the Zizq server at `env.ZIZQ_URL`, sending through the binding named by
 * `options.binding` (default `env.ZIZQ_MTLS`, when present): the client certificate of an mTLS
 * certificate binding, or a service binding to the Worker in front of Zizq.
 */
export function clientFromEnv(env: object, options: ClientFromEnvOptions = {}): Client {
  const { binding: name, ...clientOptions } = options;
  const vars = env as Record<string, unknown>;
  const url = vars.ZIZQ_URL;
  if (url === undefined || url === "") {
    throw new ZizqArgumentError("ZIZQ_URL", "missing from the Worker's env; set it under [vars] in wrangler.toml, or with `wrangler secret put ZIZQ_URL`");
  }
  if (typeof url !== "string" || !/^https?:\/\//.test(url)) {
    throw new ZizqArgumentError("ZIZQ_URL", `expected an http:// or https:// URL, got ${typeof url === "string" ? JSON.stringify(url) : `a ${typeof url}`}`);
  }
  const bindingName = name ?? (vars.ZIZQ_MTLS === undefined ? undefined : "ZIZQ_MTLS");
  if (bindingName === undefined) return new Client({ ...clientOptions, url });
  const binding = vars[bindingName] as Partial<FetcherBinding> | undefined;
  if (typeof binding?.fetch !== "function") {
    throw new ZizqArgumentError(bindingName, `expected an mTLS certificate or service binding named ${bindingName} in the Worker's env (an object with fetch)`);
  }
  // A binding's fetch must be called on the binding itself.
  const fetch = ((input: Request | string | URL, init?: RequestInit) => binding.fetch!(input, init)) as typeof globalThis.fetch;
  return new Client({ ...clientOptions, url, fetch });
}
