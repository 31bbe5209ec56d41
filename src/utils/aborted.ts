/** One promise per signal: waiters share it instead of each adding a listener. */
const abortions = new WeakMap<AbortSignal, Promise<never>>();

/** Rejects with the signal's reason once it aborts. */
export function aborted(signal: AbortSignal): Promise<never> {
  let promise = abortions.get(signal);
  if (promise === undefined) {
    promise = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
    promise.catch(() => {});
    abortions.set(signal, promise);
  }
  return promise;
}
