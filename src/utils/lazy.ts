/**
 * An object whose async methods load their implementation on first call. Producer-only bundles
 * then leave the implementation in a chunk they never fetch; the cost is one dynamic import.
 */
export function lazyObject<T extends object>(load: () => Promise<T>): T {
  let loaded: Promise<T> | undefined;
  return new Proxy({} as T, {
    // No `then`: awaiting the object itself must not mistake it for a promise.
    get: (_, name) =>
      name === "then"
        ? undefined
        : async (...args: unknown[]) => {
        loaded ??= load();
        const target = (await loaded) as Record<PropertyKey, (...a: unknown[]) => unknown>;
        return target[name]?.(...args);
      },
  });
}
