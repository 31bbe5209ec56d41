import { Client, type ClientOptions } from "../../client/client.ts";
import type { JobDefinition } from "../../job/define-job.ts";
import type { Router } from "../../processing/router.ts";
import type { ErrorRecord, Job, JobStatus } from "../../types/job.ts";
import type { PayloadPattern } from "../../types/pattern.ts";
import type { Duration, Instant } from "../../types/time.ts";
import { checkObject } from "../../utils/arguments.ts";
import type { TestServer, TestServerOptions } from "../types.ts";
import { assertEnqueued, assertNotEnqueued } from "./assert.ts";
import { TestClock } from "./clock.ts";
import { perform, type PerformOptions, type PerformSummary } from "./perform.ts";
import { type CountFilter, counts, enqueued, lastError } from "./recorded.ts";

/** Options of `createTestClient`: the server's (but its clock and timers), where the clock starts, and the client's. */
export interface TestClientOptions extends Omit<TestServerOptions, "now" | "timers" | "recordJobs"> {
  /**
   * Where the clock starts, and where `reset()` puts it back.
   * @default the real time when the test client is made
   */
  startAt?: Instant;
  /**
   * Options of the `Client` besides its URL, fetch and clock.
   * @default { timeoutMs: false, retry: false }: in-process requests neither hang nor fail transiently
   */
  client?: Omit<ClientOptions, "url" | "fetch" | "now">;
}

/**
 * A `Client` wired in-process to an in-memory server, a clock that moves only when told, and the
 * assertions and `perform` on them. Pass `client` to the code under test.
 */
export interface TestClient {
  readonly client: Client;
  readonly server: TestServer;
  /** The clock's time, in ms since the epoch: the server's and the client's (`delay` counts from it). */
  now(): number;
  /**
   * Moves the clock forward and runs what fell due: scheduled jobs and retries become ready, cron
   * entries fire (on a `pro` licence), expired jobs go. Returns the new time.
   */
  advance(by: Duration): number;
  /** The jobs of `definition`'s type enqueued since the last reset whose payload matches `payload` (see `enqueued`). */
  enqueued<Input, Output>(definition: JobDefinition<Input, Output>, payload?: PayloadPattern<Input>): Job<Input>[];
  /** Throws a `ZizqAssertionError` listing what was enqueued unless such a job was (exactly `times`, when given). */
  assertEnqueued<Input, Output>(definition: JobDefinition<Input, Output>, payload?: PayloadPattern<Input>, options?: { times?: number }): Job<Input>[];
  /** Throws a `ZizqAssertionError` if such a job was enqueued. */
  assertNotEnqueued<Input, Output>(definition: JobDefinition<Input, Output>, payload?: PayloadPattern<Input>): void;
  /** Jobs enqueued since the last reset, by status now (see `counts`). */
  counts(filter?: CountFilter): Record<JobStatus, number>;
  /** A job's newest error record, or undefined if it never failed. */
  lastError(job: string | { readonly id: string }): ErrorRecord | undefined;
  /** Runs ready jobs through `router` until none is left (see `perform`). */
  perform(router: Router, options?: PerformOptions): Promise<PerformSummary>;
  /** Empties the server (jobs, cron entries, budgets), restores its licence and puts the clock back: call it between tests. */
  reset(): Promise<void>;
  /** Ends the server's take streams; the test client cannot be used after it. */
  close(): void;
}

/** Builds a test client on a server made by `create` (createTestServer). */
export function testClient(create: (options: TestServerOptions) => TestServer, options: TestClientOptions = {}): TestClient {
  checkObject("options", options);
  const { startAt, client: clientOptions, ...serverOptions } = options;
  checkObject("options.client", clientOptions);
  const clock = new TestClock(startAt ?? Date.now());
  const server = create({ ...serverOptions, now: clock.now, timers: false, recordJobs: true });
  const client = new Client({ timeoutMs: false, retry: false, ...clientOptions, url: "http://zizq.test", fetch: server.fetch, now: clock.now });
  const pair: TestClient = {
    client,
    server,
    now: clock.now,
    advance: (by) => {
      const now = clock.advance(by);
      server.tick();
      return now;
    },
    enqueued: (definition, payload) => enqueued(pair, definition, payload),
    assertEnqueued: (definition, payload, assertOptions) => assertEnqueued(pair, definition, payload, assertOptions),
    assertNotEnqueued: (definition, payload) => assertNotEnqueued(pair, definition, payload),
    counts: (filter) => counts(pair, filter),
    lastError: (job) => lastError(pair, job),
    perform: (router, performOptions) => perform(pair, router, performOptions),
    reset: async () => {
      await client.reset();
      server.setLicense(serverOptions.license ?? "free");
      clock.rewind();
    },
    close: () => server.close(),
  };
  return pair;
}
