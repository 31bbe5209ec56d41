import type { Backoff, Retention } from "../types/job.ts";
import type { LoggerOption } from "../utils/logger.ts";
import type { JqThreadFactory } from "./payload-filter.ts";

/** The licence tier the test server acts out: Pro features answer 403 on `free` and `expired`. */
export type License = "free" | "pro" | "expired";

export type { Backoff } from "../types/job.ts";

/** Options of `createTestServer`; every one has the real server's default. */
export interface TestServerOptions {
  /**
   * Licence tier. `"expired"` answers Pro features the way an expired licence does.
   * @default "free"
   */
  license?: License;
  /**
   * The server's clock in ms since the epoch.
   * @default Date.now
   */
  now?: () => number;
  /**
   * Source of the backoff jitter, in [0, 1).
   * @default Math.random
   */
  random?: () => number;
  /**
   * Silence on a take stream before a heartbeat is sent, in ms.
   * @default 3000
   */
  heartbeatMs?: number;
  /**
   * Jobs in flight across all take streams; 0 = unlimited.
   * @default 1024
   */
  globalInFlightLimit?: number;
  /**
   * Retry limit for jobs that set none.
   * @default 25
   */
  defaultRetryLimit?: number;
  /**
   * Backoff for jobs that set none.
   * @default { exponent: 4, baseMs: 15_000, jitterMs: 30_000 }
   */
  defaultBackoff?: Backoff;
  /**
   * Retention for jobs that set none.
   * @default { completedMs: 0, deadMs: 604_800_000 } (7 days)
   */
  defaultRetention?: Retention;
  /**
   * How often expired completed and dead jobs are physically removed, in ms.
   * @default 30_000
   */
  reaperIntervalMs?: number;
  /**
   * The Zizq version to act out, as `GET /version` reports it. From `0.7` on: budgets and cron
   * group time zones. Below (`"0.6.1"`): no budget routes (the 0.6.1 404s), `budgets` on enqueue
   * and a group `timezone` ignored, `budgets.key` an unknown filter.
   * @default "0.7.0"
   */
  version?: string;
  /**
   * Most budgets the server holds (`--max-budgets`); creating one more is refused with 422.
   * @default 8192
   */
  maxBudgets?: number;
  /**
   * Where a request that failed inside the server (its 500) is reported.
   * @default console
   */
  logger?: LoggerOption;
  /**
   * Runs `filter` query parameters' jq on another thread, so that one that never ends is stopped
   * after `filterTimeoutMs` instead of freezing the server: `nodeJqThread` from `zizq-edge/node`.
   * Without it filters run on the server's thread, unbounded.
   * @default none: filters run on the server's thread
   */
  jqThread?: JqThreadFactory;
  /**
   * How long a `filter` may run on the `jqThread` before it is stopped and the request answered
   * 400 `invalid filter: ...`. The real server has no limit (it would never answer).
   * @default 5000
   */
  filterTimeoutMs?: number;
  /**
   * Whether clock-driven work (promoting scheduled jobs, firing cron entries, reaping expired jobs)
   * runs on the server's own timers. With `false` it runs only on `tick()` and on requests, and the
   * server sets no timer but open take streams' heartbeats: for a clock moved by hand
   * (`createTestClient` does this).
   * @default true
   */
  timers?: boolean;
  /**
   * Keep every job created since the last reset, even once it is completed, reaped or deleted, for
   * the test helpers' assertions (`enqueued`, `counts`, `lastError`). `createTestClient` turns it on.
   * @default false
   */
  recordJobs?: boolean;
}

/** A take stream as the inspection helpers see it. */
export interface ConnectionInfo {
  id: string;
  workerId: string;
  queues: string[];
  prefetch: number;
  /** Ids of jobs this connection holds (taken and not yet acked, failed or deleted). */
  held: string[];
}

/** The in-memory Zizq, from `createTestServer`. */
export interface TestServer {
  /**
   * Handles a request in-process, as the server would over HTTP. It has `fetch`'s signature, so
   * it can be given to a client as is: `new Client({ url: "http://zizq.test", fetch: server.fetch })`.
   */
  readonly fetch: (input: Request | string | URL, init?: RequestInit) => Promise<Response>;
  /**
   * The server as a fetch handler, for serving or mounting under a path of another app
   * (with Hono: `app.mount("/zizq", server.app.fetch)`). The same function as `fetch`.
   */
  readonly app: { readonly fetch: (request: Request) => Promise<Response> };
  /** Change the licence tier at run time (the real server re-reads its licence file). */
  setLicense(license: License): void;
  /**
   * Run the clock-driven work now: promote due scheduled jobs, fire due cron entries and hide
   * expired jobs. The server does this on its own timers; call it after moving an injected clock.
   */
  tick(): void;
  /** Open take streams and what each holds. Test-only: the real server has no such endpoint. */
  connections(): ConnectionInfo[];
  /** End every take stream abruptly, as a server crash would; held jobs go back to `ready`. */
  dropConnections(): void;
  /**
   * Act out a crash and restart: every take stream ends abruptly (held jobs back to `ready`),
   * and budgets forget their live state, as the server keeps only policies on disk: every
   * `time_based` bucket is full again and no `while_in_flight` slot is held. Jobs, budgets and
   * cron entries stay.
   */
  restart(): void;
  /** Stops timers and ends every stream; take requests after that answer 503. */
  close(): void;
}
