import type { Client } from "../../client/client.ts";
import { ZizqArgumentError } from "../../errors/argument-error.ts";
import { ZizqError } from "../../errors/zizq-error.ts";
import type { JobDefinition } from "../../job/define-job.ts";
import { AckBatcher } from "../../processing/ack-batcher.ts";
import type { AckPort } from "../../processing/ack-options.ts";
import type { Router } from "../../processing/router.ts";
import { checkQueues } from "../../protocol/names.ts";
import type { Failure } from "../../types/failure.ts";
import type { JobStatus } from "../../types/job.ts";
import { checkBoolean, checkKnownKeys, checkObject, shown } from "../../utils/arguments.ts";
import { integerAtLeast } from "../../utils/integer.ts";
import { type LoggerOption, toLogger } from "../../utils/logger.ts";
import { type ClaimFilter, internalsOf } from "../internals.ts";
import type { TestServer } from "../types.ts";
import { typeOf } from "./recorded.ts";

/** Options of `perform`. */
export interface PerformOptions {
  /**
   * Also run the jobs that become ready while it runs: those the handlers enqueue, and retries
   * that fall due at once (`RetryAfterError(0)`). With `false`, only the jobs ready when it was
   * called run, each once.
   * @default true
   */
  recursive?: boolean;
  /**
   * Most jobs to run. When that many ran and another is ready, `perform` throws a `ZizqError`
   * rather than loop for ever (a handler that enqueues its own type again).
   * @default 1000
   */
  maxJobs?: number;
  /** Run only jobs of these queues. @default every queue */
  queues?: readonly string[];
  /** Run only jobs of these types (definitions or type names); the others stay ready. @default every type */
  types?: readonly (JobDefinition<any, any> | string)[];
  /** Handlers' `ctx.log`. @default console */
  logger?: LoggerOption;
}

/** How one job `perform` ran ended. */
export interface PerformedJob {
  id: string;
  type: string;
  queue: string;
  /** This attempt, from 1. */
  attempt: number;
  /** `retried`: failed, and the server scheduled a retry; `dead`: failed for good (killed, or out of retries). */
  outcome: "completed" | "retried" | "dead";
  /** What the handler (or the payload's schema check) threw, when it failed. */
  error?: unknown;
  /** The failure reported to the server, when it failed. */
  failure?: Failure;
}

/** What `perform` resolves with: every job it ran, in order, and the totals. */
export interface PerformSummary {
  jobs: PerformedJob[];
  completed: number;
  retried: number;
  dead: number;
}

const OPTIONS = ["recursive", "maxJobs", "queues", "types", "logger"];

/**
 * Runs ready jobs through `router` in-process, one at a time in the order a take stream would
 * hand them out, until none is left; each is acked or failed through the server's HTTP API, as a
 * Worker does, so retries, backoff and kills are the server's own. Scheduled jobs wait for the
 * clock (`advance`). Handler failures do not throw: they are in the summary.
 *
 * @example
 * ```ts
 * const summary = await perform(zizq, router);
 * // { jobs: [{ id, type: "send_email", queue: "emails", attempt: 1, outcome: "completed" }], completed: 1, retried: 0, dead: 0 }
 * ```
 */
export async function perform(pair: { readonly client: Client; readonly server: TestServer }, router: Router, options: PerformOptions = {}): Promise<PerformSummary> {
  checkObject("options", options);
  checkKnownKeys("options", options as Record<string, unknown>, OPTIONS);
  checkBoolean("options.recursive", options.recursive);
  checkQueues("options.queues", options.queues);
  if (options.types !== undefined && !Array.isArray(options.types)) throw new ZizqArgumentError("options.types", `expected an array, got ${shown(options.types)}`);
  const internals = internalsOf(pair?.server);
  if (internals === undefined) throw new ZizqArgumentError("server", `expected a server from createTestServer, got ${shown(pair?.server)}`);
  if (typeof router?.dispatch !== "function") throw new ZizqArgumentError("router", `expected a Router, got ${shown(router)}`);
  const maxJobs = options.maxJobs === undefined ? 1000 : integerAtLeast("options.maxJobs", options.maxJobs, 1);
  const { client } = pair;
  const queues = options.queues ?? [];
  const types = (options.types ?? []).map((type, i) => typeOf(type, `options.types[${i}]`));
  // Without recursion, the jobs ready now, each run once (a retry due at once keeps its id).
  let only: Set<string> | undefined;
  if (options.recursive === false) {
    const ready = client.jobs({ status: "ready", ...(queues.length > 0 && { queue: queues }), ...(types.length > 0 && { type: types }) });
    only = new Set((await ready.toArray()).map((job) => job.id));
  }
  const filter: ClaimFilter = { queues: new Set(queues), types: new Set(types), ids: only };

  // The server's answer to each failure says whether it scheduled a retry or killed the job.
  const failedAs = new Map<string, JobStatus>();
  const port: AckPort = {
    ackMany: (ids) => client.ackMany(ids),
    getJob: (id) => client.getJob(id),
    fail: async (id, failure) => {
      const info = await client.fail(id, failure);
      failedAs.set(id, info.status);
      return info;
    },
  };
  const log = toLogger(options.logger ?? console);
  const batcher = new AckBatcher(port, { logger: log });
  const signal = new AbortController().signal;
  const summary: PerformSummary = { jobs: [], completed: 0, retried: 0, dead: 0 };
  try {
    for (;;) {
      if (summary.jobs.length === maxJobs) {
        const next = internals.claim(filter, true);
        if (next === undefined) break;
        throw new ZizqError(
          `perform ran maxJobs (${maxJobs}) jobs and more are ready (next: ${next.type} job ${next.id}): raise maxJobs if that is expected; a handler that enqueues its own type on every run never runs dry`,
        );
      }
      const job = internals.claim(filter, false);
      if (job === undefined) break;
      only?.delete(job.id);
      const outcome = await router.dispatch(job, { signal, log }, internals.now);
      const performed: PerformedJob = { id: job.id, type: job.type, queue: job.queue, attempt: job.attempts + 1, outcome: "completed" };
      if (outcome.kind === "failed") {
        await batcher.nack(job.id, outcome.failure, job);
        performed.outcome = failedAs.get(job.id) === "dead" ? "dead" : "retried";
        performed.error = outcome.error;
        performed.failure = outcome.failure;
      } else await batcher.ack(job.id);
      summary[performed.outcome]++;
      summary.jobs.push(performed);
    }
  } finally {
    await batcher.close();
  }
  return summary;
}
