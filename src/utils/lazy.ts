/**
 * A module's loader that imports it once: later calls answer the same promise. An `import()` of a
 * module already loaded still resolves its specifier each time (under a loader hook such as tsx's,
 * a round trip to the loader's thread), which a Worker's every bulk ack would pay. A load that fails is tried again by the next call: a chunk may arrive later.
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
}
