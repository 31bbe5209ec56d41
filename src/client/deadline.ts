import { Fifo } from "../utils/fifo.ts";

/**
 * Marks a `fetch` that takes as `init.signal` any object with AbortSignal's `aborted`, `reason`
 * and `addEventListener`/`removeEventListener` of "abort" (a `PlainSignal`), and honours it for
 * the request and its body. The transport then hands it its `Deadline` itself: on Node an
 * AbortSignal with its listener costs more than a small request's own client work (figures in
 * docs/runtimes.md). `nodeFetch` carries it.
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

/** A timer handle's `ref`/`unref`, where the runtime has them (Node, Bun); elsewhere a timer is a number. */
type Refable = { ref?: () => void; unref?: () => void };

/**
 * The deadlines of one transport's attempts, on one timer. A timer per attempt made and cleared a
 * timer list for each ack of a Worker at low concurrency, a cost `npm run bench -- worker` shows. Every
 * deadline here is as long, so the oldest open one expires first and the timer waits for it. With
 * none open the timer stays, unref'd, so it neither costs the next attempt a new timer nor keeps
 * the process alive; where timers cannot be unref'd (Deno, browsers) it is cleared instead.
 */
export class Deadlines {
  readonly #ms: number;
  /** Oldest first, which is also in order of expiry. */
  readonly #pending = new Fifo<Deadline>();
  #open = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(ms: number) {
    this.#ms = ms;
  }

  /** A deadline `ms` from now, for one attempt; `clear` it when the attempt is over. */
  start(): Deadline {
    const deadline = new Deadline(this, this.#ms, performance.now() + this.#ms);
    this.#pending.push(deadline);
    // An attempt that expired counts as open until its caller clears it, after its timer is gone:
    // the timer is started whenever there is none, not only when the first attempt opens.
    if (this.#timer === undefined) this.#timer = setTimeout(this.#check, this.#ms);
    else if (this.#open === 0) (this.#timer as Refable).ref?.();
    this.#open++;
    return deadline;
  }

  /** Called once by each deadline's `clear`. */
  settled(): void {
    const pending = this.#pending;
    while (pending.first()?.cleared) pending.shift();
    if (--this.#open > 0 || this.#timer === undefined) return;
    const timer = this.#timer as Refable;
    if (typeof timer.unref === "function") timer.unref();
    else {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  readonly #check = (): void => {
    this.#timer = undefined;
    const pending = this.#pending;
    const now = performance.now();
    const expired: Deadline[] = [];
    for (let head = pending.first(); head !== undefined && (head.cleared || head.at <= now); head = pending.first()) {
      pending.shift();
      if (!head.cleared) expired.push(head);
    }
    // The next timer is set before any abort runs, so a listener that throws cannot leave later
    // deadlines without one.
    const next = pending.first();
    if (next !== undefined) {
      this.#timer = setTimeout(this.#check, Math.max(0, next.at - now));
      if (this.#open === 0) (this.#timer as Refable).unref?.();
    }
    for (const deadline of expired) deadline.expire();
  };
}

/**
 * One attempt's deadline: when it passes it aborts with a `TimeoutError` DOMException, the name
 * ky's retry and call-failure.ts know a timeout by. It is a `PlainSignal` itself, and makes an
 * AbortSignal or a promise to race only for a fetch that needs them.
 */
export class Deadline implements PlainSignal {
  aborted = false;
  reason: unknown = undefined;
  /** The attempt is over: `clear` was called. */
  cleared = false;
  /** When it passes, as a `performance.now()` time. */
  readonly at: number;
  readonly #clock: Deadlines;
  readonly #ms: number;
  /** The request's abort listener (undici adds one); more, rarely, in `#others`. */
  #listener: (() => void) | undefined;
  #others: (() => void)[] | undefined;
  #controller: AbortController | undefined;
  #expired: Promise<never> | undefined;
  #reject: ((reason: unknown) => void) | undefined;

  constructor(clock: Deadlines, ms: number, at: number) {
    this.#clock = clock;
    this.#ms = ms;
    this.at = at;
  }

  addEventListener(_type: "abort", listener: () => void): void {
    if (this.#listener === undefined) this.#listener = listener;
    else (this.#others ??= []).push(listener);
  }

  removeEventListener(_type: "abort", listener: () => void): void {
    if (this.#listener === listener) this.#listener = undefined;
    else if (this.#others !== undefined) {
      const at = this.#others.indexOf(listener);
      if (at !== -1) this.#others.splice(at, 1);
    }
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

  /** The attempt is over: the deadline no longer runs. */
  clear(): void {
    if (this.cleared) return;
    this.cleared = true;
    this.#clock.settled();
  }

  /** Called by the clock when the deadline passes before `clear`. */
  expire(): void {
    this.aborted = true;
    this.reason = new DOMException(`no answer within ${this.#ms} ms`, "TimeoutError");
    this.#controller?.abort(this.reason);
    this.#reject?.(this.reason);
    const first = this.#listener;
    const others = this.#others ?? [];
    this.#listener = this.#others = undefined;
    first?.();
    for (const listener of others) listener();
  }
}
