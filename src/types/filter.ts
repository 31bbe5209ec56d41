import type { JobStatus } from "./job.ts";
import type { Instant } from "./time.ts";

type OneOrMany<T> = T | readonly T[];

/** An inclusive range; either end may be left open. A number alone means exactly that value. */
export type Range<T> = T | { min?: T; max?: T };

/**
 * Which jobs a query matches; all given conditions must hold. A set given as an empty array
 * matches nothing (and sends nothing); a condition left out matches everything.
 *
 * @example
 * ```ts
 * client.jobs({ queue: "emails", status: ["ready", "scheduled"], attempts: { min: 1 } });
 * ```
 */
export interface JobFilter {
  id?: OneOrMany<string>;
  queue?: OneOrMany<string>;
  type?: OneOrMany<string>;
  status?: OneOrMany<JobStatus>;
  priority?: Range<number>;
  readyAt?: Range<Instant>;
  attempts?: Range<number>;
  /** A jq expression over the payload; a job matches when any output is neither false nor null. */
  filter?: string;
  /** Jobs that draw on any of these budgets (Zizq 0.7); keys cannot contain commas. */
  budgetsKey?: OneOrMany<string>;
}

/** Enqueue order: oldest first (`asc`) or newest first (`desc`). */
export type Order = "asc" | "desc";
