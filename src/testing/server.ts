import { toLogger } from "../utils/logger.ts";
import { createApp } from "./app.ts";
import { CronBook } from "./cron/crons.ts";
import { DEFAULT_VERSION, featuresOf } from "./features.ts";
import { Budgets } from "./store/budgets.ts";
import { loadedJq } from "./jq.ts";
import { PayloadFilter } from "./payload-filter.ts";
import { JobStore } from "./store/store.ts";
import { RecordingStore } from "./store/recording.ts";
import { jobView, type Holder, type StoredJob } from "./store/job.ts";
import { INTERNALS, type ServerInternals } from "./internals.ts";
import { job as jobOf, errorRecord } from "../protocol/mapping/job.ts";
import { TakeHub } from "./take/hub.ts";
import type { License, TestServer, TestServerOptions } from "./types.ts";

const DAY_MS = 86_400_000;
/** Longest a timer sleeps, so a clock moved by hand is noticed without a request. */
const MAX_SLEEP_MS = 1_000;

/**
 * An in-memory Zizq server: every endpoint, status and error text of the real one,
 * served in-process through `fetch` or on a port through an adapter's `serve`.
 *
 * @example
 * ```ts
 * const server = createTestServer({ license: "pro" });
 * const client = new Client({ url: "http://zizq.test", fetch: server.fetch });
 * await client.enqueue(SendEmail, { to: "a@example.com" });
 * server.close();
 * ```
 */
export function createTestServer(options: TestServerOptions = {}): TestServer {
  const now = options.now ?? Date.now;
  let license: License = options.license ?? "free";
  const version = options.version ?? DEFAULT_VERSION;
  const features = featuresOf(version);
  const budgets = new Budgets({ now, maxBudgets: options.maxBudgets ?? 8192 });
  const Store = options.recordJobs ? RecordingStore : JobStore;
  const store = new Store(
    {
    now,
    random: options.random ?? Math.random,
    defaultRetryLimit: options.defaultRetryLimit ?? 25,
    defaultBackoff: options.defaultBackoff ?? { exponent: 4, baseMs: 15_000, jitterMs: 30_000 },
    defaultCompletedMs: options.defaultRetention?.completedMs ?? 0,
    defaultDeadMs: options.defaultRetention?.deadMs ?? 7 * DAY_MS,
    },
    budgets,
  );
  // Templates with a batch were checked with jq when stored, so the engine is loaded by then;
  // their budgets were resolved (and created) when the entry was installed.
  const crons = new CronBook(
    now,
    (job) => {
      const bindings = (job.budgets ?? []).map(({ key, cost = 1 }) => ({ key, cost }));
      store.enqueue([job], job.batch ? loadedJq() : undefined, [bindings]);
    },
    { rescheduleOnZoneChange: features.groupTimezone },
  );
  const hub = new TakeHub(store, {
    heartbeatMs: options.heartbeatMs ?? 3_000,
    globalInFlightLimit: options.globalInFlightLimit ?? 1024,
    beforeTake: () => store.promoteDue(),
  });
  store.subscribe(hub);

  let timer: ReturnType<typeof setTimeout> | undefined;
  let armedFor: number | undefined;
  let closed = false;
  /**
   * Promotes due scheduled jobs, fires due cron entries (the scheduler idles without a licence)
   * and wakes streams for parked jobs whose budgets refilled.
   */
  const catchUp = () => {
    store.promoteDue();
    if (license === "pro") crons.tick();
    store.wakeThrottled();
  };
  /**
   * Sleeps until the next scheduled job, cron entry or budget refill a parked job waits for,
   * re-checking at least every second. Nothing due, no timer: idle streams cost nothing.
   */
  const arm = () => {
    if (closed || options.timers === false) return;
    const due = Math.min(store.nextDue() ?? Number.POSITIVE_INFINITY, crons.nextDue() ?? Number.POSITIVE_INFINITY);
    if (due === armedFor) return;
    clearTimeout(timer);
    armedFor = due;
    if (due === Number.POSITIVE_INFINITY) return;
    timer = setTimeout(
      () => {
        armedFor = undefined;
        tick();
      },
      Math.max(0, Math.min(due - now(), MAX_SLEEP_MS)),
    );
    (timer as { unref?: () => void }).unref?.();
  };
  const tick = () => {
    catchUp();
    // Without timers, expired jobs are reaped when the clock is moved by hand.
    if (options.timers === false) store.reap();
    arm();
  };

  const reaper = options.timers === false ? undefined : setInterval(() => store.reap(), options.reaperIntervalMs ?? 30_000);
  (reaper as { unref?: () => void } | undefined)?.unref?.();

  const payloadFilter = new PayloadFilter(options.jqThread, options.filterTimeoutMs ?? 5_000);

  const app = createApp(
    { payloadFilter, store, budgets, crons, hub, license: () => license, version, features },
    { log: toLogger(options.logger ?? console), catchUp, arm },
  );
  const fetch = async (input: Request | string | URL, init?: RequestInit) =>
    app.fetch(input instanceof Request && init === undefined ? input : new Request(input, init));

  const server: TestServer = {
    app: { fetch },
    fetch,
    setLicense: (next) => {
      license = next;
    },
    tick,
    connections: () => hub.connections(),
    dropConnections: () => hub.closeAll(true),
    restart: () => {
      hub.closeAll(true);
      budgets.refill();
      store.budgetsChanged();
      tick();
    },
    close: () => {
      closed = true;
      clearTimeout(timer);
      if (reaper !== undefined) clearInterval(reaper);
      hub.shutdown();
      payloadFilter.close();
    },
  };
  Object.defineProperty(server, INTERNALS, { value: internals(store, now) });
  return server;
}

/** What the test helpers (`createTestClient`, `perform`, the assertions) use of a server. */
function internals(store: JobStore, now: () => number): ServerInternals {
  // Jobs claimed for `perform` are held by no stream; an ack or failure over HTTP releases them.
  const holder: Holder = { release() {} };
  const recording = store instanceof RecordingStore ? store : undefined;
  // A copy: what a test or a handler does to a payload must not reach the store.
  const view = (stored: StoredJob) => ({ ...jobOf(jobView(stored, { payload: true })), payload: structuredClone(stored.payload) });
  return {
    now,
    recorded:
      recording &&
      (() =>
        recording.created().map((stored) => ({
          job: view(stored),
          errors: stored.errors.map(errorRecord),
          held: store.find(stored.id) === stored,
        }))),
    claim({ queues, types, ids }, peek) {
      store.promoteDue();
      const accept =
        types.size === 0 && ids === undefined ? undefined : (job: StoredJob) => (types.size === 0 || types.has(job.type)) && (ids === undefined || ids.has(job.id));
      const stored = peek ? store.next(queues, accept) : store.take(queues, 1, holder, accept)[0];
      return stored && view(stored);
    },
  };
}
