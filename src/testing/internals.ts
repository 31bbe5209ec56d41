import type { ErrorRecord, Job } from "../types/job.ts";

/**
 * Where a test server keeps what the test helpers need of it (a registered symbol, so that two
 * copies of this package still find each other's). Not public API.
 */
export const INTERNALS: unique symbol = Symbol.for("zizq-edge.testing.internals") as never;

/** A job the server created since its last reset. */
export interface RecordedJob {
  /** As the server holds it now; once removed (completed, reaped, deleted), as it was then. */
  job: Job<unknown>;
  errors: ErrorRecord[];
  /** Whether the server still holds it: completed jobs without retention are removed at once. */
  held: boolean;
}

/** Which jobs `claim` may hand out; an empty set of queues or types lets every one through. */
export interface ClaimFilter {
  queues: ReadonlySet<string>;
  types: ReadonlySet<string>;
  /** Only these jobs, when given. */
  ids?: ReadonlySet<string>;
}

export interface ServerInternals {
  /** The server's clock. */
  now(): number;
  /** Every job created since the last reset, oldest first; undefined unless the server records jobs. */
  recorded: (() => RecordedJob[]) | undefined;
  /**
   * The job a take stream would be handed next, of those the filter lets through, claimed (in
   * flight, as if taken) unless `peek`. It is acked or failed through the HTTP API like any other.
   */
  claim(filter: ClaimFilter, peek: boolean): Job<unknown> | undefined;
}

/** The internals of a server from `createTestServer`; undefined for anything else. */
export function internalsOf(server: unknown): ServerInternals | undefined {
  return typeof server === "object" && server !== null ? (server as { [INTERNALS]?: ServerInternals })[INTERNALS] : undefined;
}
