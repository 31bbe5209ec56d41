/** A retry policy's delays: doubling from `initialDelayMs`, capped at `maxDelayMs`, with full jitter. */
export interface DelayPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Source of jitter in [0, 1). */
  random: () => number;
}

/** Full jitter: anywhere from 0 to the doubled delay, capped, so retrying peers spread out. */
export function backoffDelay(policy: DelayPolicy, attempt: number): number {
  return policy.random() * Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(attempt - 1, 30));
}

/** Waits `ms`, or less when `signal` aborts; never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
