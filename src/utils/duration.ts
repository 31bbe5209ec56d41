import { ZizqArgumentError } from "../errors/argument-error.ts";
import type { Duration, Instant } from "../types/time.ts";
import { shown } from "./arguments.ts";

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The longest delay a timer takes: a longer one fires at once in every runtime (Node warns). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A duration in whole ms; `field` names the option in the error for a bad value. */
export function toMs(value: Duration, field: string): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) throw new ZizqArgumentError(field, `expected a duration ≥ 0 ms, got ${value}`);
    return Math.round(value);
  }
  const match = typeof value === "string" ? /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value) : null;
  if (!match) throw new ZizqArgumentError(field, `expected a duration like 500, "30s", "5m" or "2h", got ${shown(value)}`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}

/** A duration a timer waits for: at most about 24.8 days, and above 0 unless `zero` is allowed. */
export function timerMs(value: Duration, field: string, zero = false): number {
  const ms = toMs(value, field);
  checkTimerMs(field, ms, zero ? 0 : 1);
  return ms;
}

/** A timer's delay given as a number of ms, from `min` to the longest a timer takes; undefined passes. */
export function checkTimerMs(field: string, value: unknown, min: number): void {
  if (value !== undefined && !(typeof value === "number" && value >= min && value <= MAX_TIMER_MS)) {
    throw new ZizqArgumentError(field, `expected ms from ${min} to ${MAX_TIMER_MS} (about 24.8 days), got ${shown(value)}`);
  }
}

/** A point in time as ms since the epoch. */
export function toEpochMs(value: Instant, field: string): number {
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
    throw new ZizqArgumentError(field, `expected a Date or ms since the epoch, got ${value instanceof Date ? "an invalid Date" : shown(value)}`);
  }
  return Math.round(ms);
}
