/**
 * An object whose async methods load their implementation on first call. Producer-only bundles
 * then leave the implementation in a chunk they never fetch; the cost is one dynamic import.
 */
export function lazyObject<T extends object>(load: () => Promise<T>): T {
  let loaded: Promise<T> | undefined;
  const target = async () => {
    // A failed load (a chunk that did not arrive) is tried again on the next call.
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return (await loaded) as Record<string, unknown>;
  };
  return new Proxy({} as T, {
    // Symbols, Object's own members (toString, valueOf) and `then` (so that awaiting the object
    // does not take it for a promise) are the plain object's; any other name is a method.
    get: (object, name) =>
      typeof name !== "string" || name === "then" || name in object
        ? Reflect.get(object, name)
        : async (...args: unknown[]) => {
            const implementation = await target();
            const method = implementation[name];
            if (typeof method !== "function") throw new TypeError(`${name} is not a method`);
            return method.apply(implementation, args);
          },
  });
}
