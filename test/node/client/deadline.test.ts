/**
 * How the transport hands each attempt its deadline (src/client/deadline.ts): a fetch marked
 * TAKES_PLAIN_SIGNAL (nodeFetch) gets the deadline itself, any other fetch a real AbortSignal and a
 * race, and `timeoutMs: false` no signal at all. Over real sockets in test/node/adapters/dispatcher-fetch.test.ts.
 */
import { describe, expect, it, vi } from "vitest";
import { Client, ZizqTimeoutError } from "../../../src/index.ts";
import { Deadlines, TAKES_PLAIN_SIGNAL } from "../../../src/client/deadline.ts";
import { eventually, within } from "../../support/wait.ts";

type Seen = RequestInit["signal"] | undefined;

/** A fetch that records each request's signal and answers only when the signal aborts, rejecting with its reason. */
function hanging(seen: Seen[]): typeof globalThis.fetch {
  return (_input, init) => {
    const signal = init?.signal ?? undefined;
    seen.push(signal);
    return new Promise<Response>((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason)));
  };
}

const rejection = (promise: Promise<unknown>) => promise.then(() => expect.unreachable("it resolved"), (error: unknown) => error);

describe("each attempt's deadline", () => {
  it("a fetch marked TAKES_PLAIN_SIGNAL is handed a plain signal, not an AbortSignal, which aborts with a TimeoutError", async () => {
    const seen: Seen[] = [];
    const fetch = Object.assign(hanging(seen), { [TAKES_PLAIN_SIGNAL]: true });
    const client = new Client({ url: "http://zizq.test", fetch, timeoutMs: 30, retry: false });
    const error = await within(rejection(client.ackMany(["0a"])), "ackMany");
    expect(error).toBeInstanceOf(ZizqTimeoutError);
    expect(seen).toHaveLength(1);
    expect(seen[0]).not.toBeInstanceOf(AbortSignal);
    expect(seen[0]).toMatchObject({ aborted: true, reason: { name: "TimeoutError" } });
  });

  it("any other fetch gets an AbortSignal that aborts with a TimeoutError", async () => {
    const seen: Seen[] = [];
    const client = new Client({ url: "http://zizq.test", fetch: hanging(seen), timeoutMs: 30, retry: false });
    expect(await within(rejection(client.ackMany(["0a"])), "ackMany")).toBeInstanceOf(ZizqTimeoutError);
    expect(seen[0]).toBeInstanceOf(AbortSignal);
    expect((seen[0] as AbortSignal).reason).toMatchObject({ name: "TimeoutError" });
  });

  it("timeoutMs: false sends no signal", async () => {
    const seen: Seen[] = [];
    const fetch: typeof globalThis.fetch = async (_input, init) => {
      seen.push(init?.signal ?? undefined);
      return new Response(null, { status: 204 });
    };
    await new Client({ url: "http://zizq.test", fetch, timeoutMs: false }).ackMany(["0a"]);
    expect(seen).toEqual([undefined]);
  });

  it("one timer serves a client's attempts one after another, and the next hung one still times out", async () => {
    let hang = false;
    const seen: Seen[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => (hang ? hanging(seen)(input, init) : new Response(null, { status: 204 }));
    const client = new Client({ url: "http://zizq.test", fetch, timeoutMs: 40, retry: false });
    const timers = vi.spyOn(globalThis, "setTimeout");
    try {
      for (let i = 0; i < 50; i++) await client.ackMany([`0a${i}`]);
      expect(timers).toHaveBeenCalledTimes(1);
    } finally {
      timers.mockRestore();
    }
    hang = true;
    const error = await within(rejection(client.ackMany(["0late"])), "the hung ackMany");
    expect(error).toMatchObject({ name: "ZizqTimeoutError", timeoutMs: 40 });
  });

  it("an attempt started while an expired one is not yet cleared still gets its timer", async () => {
    const clock = new Deadlines(30);
    const first = clock.start();
    await eventually(() => first.aborted, "the first deadline expired");
    // The caller of the first attempt has not cleared it yet (its error is still being built, or a
    // retry waits out its backoff) when the next attempt starts.
    const second = clock.start();
    first.clear();
    await eventually(() => second.aborted, "the second deadline expired");
    expect(second.reason).toMatchObject({ name: "TimeoutError" });
    second.clear();
  });

  it("with no attempt open the timer does not hold the process (Node: it is unref'd)", async () => {
    const timeouts = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
    const before = timeouts();
    const fetch: typeof globalThis.fetch = async () => new Response(null, { status: 204 });
    await new Client({ url: "http://zizq.test", fetch, timeoutMs: 60_000 }).ackMany(["0a"]);
    expect(timeouts()).toBe(before);
  });

  it("runs each abort listener still added when it passes, once, whatever order they were added and removed in", async () => {
    const deadline = new Deadlines(10).start();
    const ran: string[] = [];
    const listener = (name: string) => () => void ran.push(name);
    const [a, b, c, d] = ["a", "b", "c", "d"].map(listener) as [() => void, () => void, () => void, () => void];
    deadline.addEventListener("abort", a);
    deadline.addEventListener("abort", b);
    deadline.addEventListener("abort", c);
    deadline.removeEventListener("abort", a);
    deadline.removeEventListener("abort", c);
    deadline.addEventListener("abort", d);
    await eventually(() => deadline.aborted, "the deadline to pass");
    deadline.clear();
    expect(ran.sort()).toEqual(["b", "d"]);
  });
});
