/**
 * Replay protection: the endpoint records each authentic delivery's `webhook-id` and refuses
 * one it has seen (409). An id only needs remembering until its timestamp goes stale: after
 * that the freshness check refuses it anyway.
 */

/** Where delivery ids are remembered. Plug in KV, a Durable Object or Redis for a shared view. */
export interface ReplayStore {
  /**
   * Records `id` until `expiresAtMs` and says whether it was already recorded (and unexpired).
   * Must be atomic per id for a shared store (e.g. Redis `SET NX PX`), or two copies of one
   * delivery racing can both pass.
   */
  seen(id: string, expiresAtMs: number): boolean | Promise<boolean>;
}

/** Options of the in-memory replay store, the push endpoint's default. */
export interface MemoryReplayStoreOptions {
  /**
   * Ids held at most; the least recently recorded goes first.
   * @default 10_000
   */
  maxEntries?: number;
  /**
   * Clock, ms.
   * @default Date.now
   */
  now?: () => number;
}

/**
 * The default store: a bounded in-memory map per process (or per isolate on Workers), so best
 * effort: another isolate, a restart, or more than `maxEntries` deliveries inside the tolerance
 * window lets a replay through. Handlers must stay idempotent (delivery is at least once anyway).
 */
export class MemoryReplayStore implements ReplayStore {
  readonly #ids = new Map<string, number>();
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: MemoryReplayStoreOptions = {}) {
    this.#max = Math.max(1, Math.floor(options.maxEntries ?? 10_000));
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#ids.size;
  }

  seen(id: string, expiresAtMs: number): boolean {
    const now = this.#now();
    const expires = this.#ids.get(id);
    if (expires !== undefined && expires > now) return true;
    this.#ids.delete(id);
    this.#ids.set(id, expiresAtMs);
    // Drop expired entries at the old end, then the oldest while over the cap.
    for (const [key, at] of this.#ids) {
      if (at > now && this.#ids.size <= this.#max) break;
      this.#ids.delete(key);
    }
    return false;
  }
}
