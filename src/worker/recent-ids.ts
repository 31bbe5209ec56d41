/** The last `capacity` ids added, for membership tests: a ring of ids and a set, O(1) each way. */
export class RecentIds {
  readonly #ring: (string | undefined)[];
  readonly #set = new Set<string>();
  #next = 0;

  constructor(capacity: number) {
    this.#ring = new Array<string | undefined>(capacity);
  }

  add(id: string): void {
    if (this.#set.has(id)) return;
    const oldest = this.#ring[this.#next];
    if (oldest !== undefined) this.#set.delete(oldest);
    this.#ring[this.#next] = id;
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#set.add(id);
  }

  has(id: string): boolean {
    return this.#set.has(id);
  }
}
