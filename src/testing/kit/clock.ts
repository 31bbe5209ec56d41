import type { Duration, Instant } from "../../types/time.ts";
import { toEpochMs, toMs } from "../../utils/duration.ts";

/** A clock that moves only when told: the test client's server and client both read it. */
export class TestClock {
  readonly #start: number;
  #now: number;

  constructor(start: Instant) {
    this.#start = this.#now = toEpochMs(start, "startAt");
  }

  /** The time now, in ms since the epoch. */
  readonly now = (): number => this.#now;

  /** Moves the clock forward by `by` ("5m", or ms); returns the new time. */
  advance(by: Duration): number {
    return (this.#now += toMs(by, "by"));
  }

  /** Back to where it started. */
  rewind(): void {
    this.#now = this.#start;
  }
}
