import { ZizqArgumentError } from "../errors/argument-error.ts";
import type { Duration, Instant } from "../client/types.ts";

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration in whole ms; `field` names the option in the error for a bad value. */
export function toMs(value: Duration, field: string): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) throw new ZizqArgumentError(field, `expected a duration ≥ 0 ms, got ${value}`);
    return Math.round(value);
  }
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value);
  if (!match) throw new ZizqArgumentError(field, `expected a duration like 500, "30s", "5m" or "2h", got ${JSON.stringify(value)}`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}

/** A point in time as ms since the epoch. */
export function toEpochMs(value: Instant, field: string): number {
  const ms = value instanceof Date ? value.getTime() : value;
  if (!Number.isFinite(ms) || ms < 0) throw new ZizqArgumentError(field, `expected a Date or ms since the epoch, got ${String(value)}`);
  return Math.round(ms);
}
