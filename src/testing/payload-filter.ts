/**
 * The `filter` query parameter's jq, with a time bound where the runtime has threads.
 *
 * jq-web runs synchronously, so on the server's own thread a filter that never ends (say
 * `until(false; .)`) would freeze every route, take streams and heartbeats included. Handed a
 * `JqThread`, filters run there instead, one at a time, and one still running after the time
 * budget is stopped (its thread terminated; the next filter starts a fresh one). Batch
 * expressions' enqueue dry runs are tried there first for the same reason.
 */
import { batchDryRuns, JqError, type JqFailure, loadJq, matchProgram, parseOutput, toJqError } from "./jq.ts";

/** jq-web on another thread (a worker), handed in by an adapter for a runtime that has them. */
export interface JqThread {
  /**
   * jq-web's `raw(input, program, ["-c"])` there. Rejects with a plain `JqFailure` object
   * (`exitCode`, `stderr`, `message` of what jq-web threw) when jq failed, with an `Error` when
   * the thread itself did.
   */
  run(input: string, program: string): Promise<string | undefined>;
  /** Stops the thread at once, even mid-evaluation. */
  terminate(): void;
}

/** Starts a thread; resolves once jq has loaded on it. */
export type JqThreadFactory = () => Promise<JqThread>;

/** A filter still running when its time budget ran out. */
export class FilterTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`still running after ${timeoutMs} ms (the test server's filterTimeoutMs; the real server has no limit)`);
  }
}

export class PayloadFilter {
  private thread: Promise<JqThread> | undefined;
  /** The last filter queued: the thread answers one at a time, and each budget starts at its turn. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private startThread: JqThreadFactory | undefined,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Whether each payload matches `expr`. Throws `FilterTimeout` past the budget (on a thread).
   * Runtime errors inside `expr` are non-matches; one that stops jq itself (out of memory) fails
   * the whole run, so then each payload is judged alone.
   */
  async matches(expr: string, payloads: readonly unknown[]): Promise<boolean[]> {
    const program = matchProgram(expr);
    try {
      return (await this.run(JSON.stringify(payloads), program))[0] as boolean[];
    } catch (error) {
      if (!(error instanceof JqError && error.kind === "runtime")) throw error;
      if (payloads.length <= 1) return payloads.map(() => false);
      const verdicts: boolean[] = [];
      for (const payload of payloads) verdicts.push(...(await this.matches(expr, [payload])));
      return verdicts;
    }
  }

  /**
   * How a batch's enqueue dry run ends on the thread: "ends" (the store's own dry run on the
   * server's thread will end too), "fails" (a compile or runtime error the store's dry run will
   * report) or, past the budget, what ran too long ("when: still running after N ms"). Without a
   * thread, "ends" unchecked.
   */
  async dryRunBatch(batch: { when: string; fold: string }, payload: unknown): Promise<"ends" | "fails" | string> {
    if (!this.startThread) return "ends";
    for (const { name, input, program } of batchDryRuns(batch, payload)) {
      try {
        await this.run(input, program);
      } catch (error) {
        if (error instanceof FilterTimeout) return `${name}: ${error.message}`;
        if (error instanceof JqError) return "fails";
        throw error;
      }
    }
    return "ends";
  }

  /** Stops the thread, if one is running; later filters run on the server's thread, starting none. */
  close(): void {
    void this.thread?.then((thread) => thread.terminate(), () => undefined);
    this.thread = undefined;
    this.startThread = undefined;
  }

  private run(input: string, program: string): Promise<unknown[]> {
    const result = this.turn.then(() => this.runOnce(input, program));
    this.turn = result.catch(() => undefined);
    return result;
  }

  /** On the thread when there is one (a closed server has none), else on this thread. */
  private async runOnce(input: string, program: string): Promise<unknown[]> {
    const start = this.startThread;
    if (!start) return (await loadJq()).evaluate(input, program);
    const starting = (this.thread ??= start());
    starting.catch(() => {
      if (this.thread === starting) this.thread = undefined;
    });
    const thread = await starting;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new FilterTimeout(this.timeoutMs)), this.timeoutMs);
    });
    let retire = false;
    // jq's own failures arrive as plain `JqFailure` objects; an `Error` means the thread broke.
    const evaluation = thread.run(input, program).catch((failure: JqFailure | Error) => {
      if (failure instanceof Error) return Promise.reject(failure);
      // No exit code: jq-web aborted (out of memory), and its memory stays grown until the thread goes.
      retire = failure.exitCode === undefined;
      return Promise.reject(toJqError(failure));
    });
    try {
      return parseOutput(await Promise.race([evaluation, timeout]));
    } catch (error) {
      if (retire || !(error instanceof JqError)) {
        thread.terminate();
        if (this.thread === starting) this.thread = undefined;
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
