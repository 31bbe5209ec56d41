import type { JobStatus } from "./job.ts";
import type { PayloadContainsPattern, PayloadPattern } from "./pattern.ts";
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
 * client.jobs<{ tenantId: number; tags: string[] }>({ payload: { tenantId: 7 }, payloadContains: { tags: ["vip"] } });
 * ```
 */
// `any` by default: an untyped `JobFilter` fits a query of any payload type.
export interface JobFilter<Payload = any> {
  id?: OneOrMany<string>;
  queue?: OneOrMany<string>;
  type?: OneOrMany<string>;
  status?: OneOrMany<JobStatus>;
  priority?: Range<number>;
  readyAt?: Range<Instant>;
  attempts?: Range<number>;
  /**
   * Payloads that match this pattern: every key given must be there with a matching value
   * (objects match partially, at any depth); arrays, strings, numbers, booleans and null must be
   * equal. Compiled to jq and sent as (part of) `filter`; see `payloadMatches`.
   */
  payload?: PayloadPattern<Payload>;
  /**
   * Payloads that contain this pattern: like `payload`, but an array matches any array that holds
   * a match for each of its items, in any order. See `payloadContains`.
   */
  payloadContains?: PayloadContainsPattern<Payload>;
  /**
   * A jq expression over the payload; a job matches when any output is neither false nor null.
   * With `payload` or `payloadContains`, all must hold: they are joined with `and`.
   */
  filter?: string;
  /** Jobs that draw on any of these budgets (Zizq 0.7); keys cannot contain commas. */
  budgetsKey?: OneOrMany<string>;
}

/** Enqueue order: oldest first (`asc`) or newest first (`desc`). */
export type Order = "asc" | "desc";
