/** A `time_based` budget's rate: `allocation` tokens per `durationMs`, holding at most `capacity`. */
export interface Rate {
  allocation: number;
  durationMs: number;
  capacity: number;
}

/**
 * A token bucket that drips continuously: `allocation` tokens per `durationMs`, whole tokens
 * only, the fraction carried exactly (in token-ms, as a bigint: ms × allocation outgrows a
 * double on a clock moved far by hand). It starts full, never holds more than its capacity,
 * banks nothing while full, and a clock that steps back drains nothing.
 */
export class TokenBucket {
  #tokens: number;
  /** Progress toward the next token, in token-ms (always below `durationMs`). */
  #credit = 0n;
  #last: number;

  constructor(
    private rate: Rate,
    now: number,
  ) {
    this.#tokens = rate.capacity;
    this.#last = now;
  }

  /** Whole tokens available at `now`. */
  available(now: number): number {
    this.refill(now);
    return this.#tokens;
  }

  /** Takes `cost` tokens; the caller has checked they are there. */
  spend(cost: number, now: number): void {
    this.refill(now);
    this.#tokens -= cost;
  }

  /** When `cost` tokens will be there if nothing else spends; `now` or earlier when they already are. */
  readyAt(cost: number, now: number): number {
    this.refill(now);
    if (this.#tokens >= cost) return now;
    const { allocation, durationMs } = this.rate;
    const missing = BigInt(cost - this.#tokens) * BigInt(durationMs) - this.#credit;
    const rate = BigInt(allocation);
    return this.#last + Number((missing + rate - 1n) / rate);
  }

  /**
   * A new policy, in force from `now`: tokens above the new capacity go at once. A new rate keeps
   * the progress toward the next token; a new period discards it.
   */
  retune(rate: Rate, now: number): void {
    this.refill(now);
    if (rate.durationMs !== this.rate.durationMs) this.#credit = 0n;
    this.rate = rate;
    if (this.#tokens >= rate.capacity) {
      this.#tokens = rate.capacity;
      this.#credit = 0n;
    }
  }

  private refill(now: number): void {
    const elapsed = now - this.#last;
    this.#last = now;
    if (elapsed <= 0) return;
    const { allocation, durationMs, capacity } = this.rate;
    if (this.#tokens >= capacity) {
      this.#credit = 0n;
      return;
    }
    const period = BigInt(durationMs);
    const gained = BigInt(elapsed) * BigInt(allocation) + this.#credit;
    const whole = gained / period;
    if (BigInt(capacity - this.#tokens) <= whole) {
      this.#tokens = capacity;
      this.#credit = 0n;
    } else {
      this.#tokens += Number(whole);
      this.#credit = gained - whole * period;
    }
  }
}
