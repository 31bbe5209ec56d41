/**
 * Marks a `fetch` that takes as `init.signal` any object with AbortSignal's `aborted`, `reason`
 * and `addEventListener`/`removeEventListener` of "abort" (a `PlainSignal`), and honours it for
 * the request and its body. The transport then hands it its `Deadline` itself: on Node an
 * AbortSignal with its listener cost more than a small request's own client work (issue 13:
 * 46 µs for a sequential bulk ack over `nodeFetch`, 61 µs with a signal). `nodeFetch` carries it.
 * `Symbol.for`, so that a `nodeFetch` and a `Client` from two copies of the package still agree.
 */
export const TAKES_PLAIN_SIGNAL = Symbol.for("zizq-edge.takesPlainSignal");

/** What a fetch marked `TAKES_PLAIN_SIGNAL` reads of its signal. */
export interface PlainSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: "abort", listener: () => void, options?: unknown): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** Whether `fetch` declares that it takes a `PlainSignal`. */
export function takesPlainSignal(fetch: unknown): boolean {
  return typeof fetch === "function" && (fetch as { [TAKES_PLAIN_SIGNAL]?: unknown })[TAKES_PLAIN_SIGNAL] === true;
}

/**
 * One attempt's deadline: when `ms` pass it aborts with a `TimeoutError` DOMException, the name
 * ky's retry and call-failure.ts know a timeout by. It is a `PlainSignal` itself, and makes an
 * AbortSignal or a promise to race only for a fetch that needs them.
 */
export class Deadline implements PlainSignal {
  aborted = false;
  reason: unknown = undefined;
  readonly #ms: number;
  readonly #timer: ReturnType<typeof setTimeout>;
  #listeners: (() => void)[] = [];
  #controller: AbortController | undefined;
  #expired: Promise<never> | undefined;
  #reject: ((reason: unknown) => void) | undefined;

  constructor(ms: number) {
    this.#ms = ms;
    this.#timer = setTimeout(() => this.#expire(), ms);
  }

  addEventListener(_type: "abort", listener: () => void): void {
    this.#listeners.push(listener);
  }

  removeEventListener(_type: "abort", listener: () => void): void {
    const at = this.#listeners.indexOf(listener);
    if (at !== -1) this.#listeners.splice(at, 1);
  }

  /** An AbortSignal that aborts with this deadline, for a fetch that takes only those. */
  signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  /** `promise`, or this deadline's reason once it passes: ends the wait on a fetch that ignores its signal. */
  race<T>(promise: Promise<T>): Promise<T> {
    this.#expired ??= this.aborted ? Promise.reject(this.reason) : new Promise<never>((_, reject) => (this.#reject = reject));
    return Promise.race([promise, this.#expired]);
  }

  /** Stops the clock: the attempt is over. */
  clear(): void {
    clearTimeout(this.#timer);
  }

  #expire(): void {
    this.aborted = true;
    this.reason = new DOMException(`no answer within ${this.#ms} ms`, "TimeoutError");
    this.#controller?.abort(this.reason);
    this.#reject?.(this.reason);
    for (const listener of this.#listeners.splice(0)) listener();
  }
}
