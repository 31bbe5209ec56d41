/** A lazy async sequence: nothing runs until it is iterated or one of its terminal methods is called. */
export class Sequence<T> implements AsyncIterable<T> {
  /** @internal Made by `JobQuery.map`, `filter` and `pages`. */
  constructor(private readonly source: AsyncIterable<T>) {}

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.source[Symbol.asyncIterator]();
  }

  /** Each item through `fn`, one at a time (an async `fn` is awaited before the next item is read). */
  map<U>(fn: (item: T, index: number) => U | PromiseLike<U>): Sequence<U> {
    const source = this.source;
    return new Sequence({
      async *[Symbol.asyncIterator]() {
        let index = 0;
        for await (const item of source) yield await fn(item, index++);
      },
    });
  }

  /** The items `predicate` answers truthy for (an async predicate is awaited). */
  filter<S extends T>(predicate: (item: T, index: number) => item is S): Sequence<S>;
  filter(predicate: (item: T, index: number) => unknown): Sequence<T>;
  filter(predicate: (item: T, index: number) => unknown): Sequence<T> {
    const source = this.source;
    return new Sequence({
      async *[Symbol.asyncIterator]() {
        let index = 0;
        for await (const item of source) if (await predicate(item, index++)) yield item;
      },
    });
  }

  /** Calls `fn` on each item in turn, awaiting it before reading the next. */
  async forEach(fn: (item: T, index: number) => unknown): Promise<void> {
    let index = 0;
    for await (const item of this.source) await fn(item, index++);
  }

  /** Every item in one array: mind the size of the result. */
  async toArray(): Promise<T[]> {
    // Array.fromAsync needs Node 22.
    const all: T[] = [];
    for await (const item of this.source) all.push(item);
    return all;
  }

  /** The first item, or undefined; reads no further. */
  async first(): Promise<T | undefined> {
    for await (const item of this.source) return item;
    return undefined;
  }

  /** The last item, or undefined; reads them all. */
  async last(): Promise<T | undefined> {
    let last: T | undefined;
    for await (const item of this.source) last = item;
    return last;
  }
}
