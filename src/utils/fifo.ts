/**
 * A first-in, first-out queue: `push` at the back, `shift` from the front, both O(1).
 * `Array.prototype.shift` moves every element, which costs on a hot queue; this keeps an index
 * to the front instead, and starts the array over whenever the queue empties.
 */
export class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  /** Items waiting. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** The front item, removed; `undefined` when empty. */
  shift(): T | undefined {
    const items = this.#items;
    if (this.#head === items.length) return undefined;
    const item = items[this.#head];
    // Dropped at once, so a taken item is not kept alive by the queue.
    items[this.#head++] = undefined;
    if (this.#head === items.length) items.length = this.#head = 0;
    // A queue that never empties would keep its taken slots: cut them off once they are most of it.
    else if (this.#head >= COMPACT_AFTER && this.#head * 2 >= items.length) {
      this.#items = items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** The front item, left in place. */
  first(): T | undefined {
    return this.#items[this.#head];
  }

  /** The back item (the one pushed last), left in place. */
  last(): T | undefined {
    return this.size === 0 ? undefined : this.#items[this.#items.length - 1];
  }

  clear(): void {
    this.#items.length = this.#head = 0;
  }

  /** The items, front first; the queue is unchanged. */
  *[Symbol.iterator](): IterableIterator<T> {
    const items = this.#items;
    for (let at = this.#head; at < items.length; at++) yield items[at] as T;
  }
}

/** Taken slots tolerated before a queue that never empties is compacted. */
const COMPACT_AFTER = 1024;
