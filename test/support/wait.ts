/**
 * Bounded waits for every test runtime (Node, Bun, Deno, workerd): web timers only. A wait that
 * runs out fails naming what it waited for; it bounds a hang, it never asserts a duration.
 */

/** How long a wait lasts unless the caller says otherwise. */
export const WAIT_MS = 10_000;

/** What a wait is for; a function is read only when the wait fails (say, a child's output so far). */
export type What = string | (() => string | Promise<string>);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const textOf = async (what: What): Promise<string> => (typeof what === "string" ? what : await what());

const TIMEOUT = Symbol("timeout");

/** `promise`'s outcome, or a rejection naming `what` once `ms` pass first. */
export async function within<T>(promise: Promise<T>, what: What, ms = WAIT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), Math.max(0, ms))));
  try {
    const first = await Promise.race([promise, timeout]);
    if (first === TIMEOUT) throw new Error(`gave up after ${ms} ms waiting for ${await textOf(what)}`);
    return first;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Calls `probe` every `intervalMs` until it returns something other than `false` without
 * throwing, and resolves with that. So a condition (`() => count === 3`), an assertion
 * (`() => expect(x).toBe(3)`) and a lookup (`() => lines.find(match) ?? false`) all fit. After
 * `ms` it rejects naming `what`, with the probe's last error if it threw.
 */
export async function eventually<T>(probe: () => T | Promise<T>, what: What, ms = WAIT_MS, intervalMs = 10): Promise<Exclude<T, false>> {
  const deadline = Date.now() + ms;
  for (;;) {
    let failure: unknown;
    try {
      const value = await probe();
      if (value !== false) return value as Exclude<T, false>;
    } catch (error) {
      failure = error;
    }
    if (Date.now() > deadline) {
      const message = `gave up after ${ms} ms waiting for ${await textOf(what)}`;
      throw failure === undefined ? new Error(message) : new Error(`${message}: ${String(failure)}`, { cause: failure });
    }
    await sleep(intervalMs);
  }
}
