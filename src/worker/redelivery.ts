import type { Job } from "../types/job.ts";

/** Ids kept for recognising redelivered jobs, at most. */
const COMPLETED_CAP = 10_000;

/** What the guard says of an arriving job. */
export type Verdict =
  /** A copy of a job completed here: ack it again, do not run it. */
  | "ack"
  /** A copy of a job whose handler still runs here: held until that handler ends (see `release`). */
  | "held"
  /** Not a known copy: run it. */
  | undefined;

/**
 * Recognises jobs the server hands out again. Zizq has no lease token, so a job whose ack had not
 * landed when its stream broke can come back; a Worker keeps one guard across its runs. Costs two
 * size checks per job until a stream breaks or an ack is refused.
 */
export class RedeliveryGuard<Conn> {
  /**
   * Jobs completed here that the server may hand out again: their ack had not landed when their
   * stream broke, or it came back "not in flight". Oldest first.
   */
  readonly #completed = new Set<string>();
  /** Handlers still running for jobs of a broken stream, by job id: a copy of one must wait for it. */
  readonly #lostRuns = new Set<string>();
  /** Copies that arrived while their original was still running here. */
  readonly #held = new Map<string, { job: Job<unknown>; conn: Conn }>();

  /**
   * Checked when a job arrives and again when it leaves the buffer, in case its id was learnt
   * while it waited (an ack answered "not in flight" after it arrived).
   */
  check(job: Job<unknown>, conn: Conn): Verdict {
    if (this.#completed.size === 0 && this.#lostRuns.size === 0) return undefined;
    if (this.#completed.delete(job.id)) return "ack";
    if (!this.#lostRuns.has(job.id)) return undefined;
    this.#held.set(job.id, { job, conn });
    return "held";
  }

  /**
   * Remembers a job completed here that the server may hand out again. Acking such a copy instead
   * of running it is right only because the work it stands for is done: ids come here only from
   * acks, and only handlers that completed are acked (never a failure, never a job merely
   * received). An ack answered "not in flight" means the server took the job back (it saw the
   * stream break first) or completed it already; either way the handler here did finish it.
   */
  completed(id: string): void {
    const ids = this.#completed;
    ids.add(id);
    // Copies taken by other workers never come here: forget the oldest rather than grow without bound.
    if (ids.size > COMPLETED_CAP) ids.delete(ids.values().next().value as string);
  }

  /** The handler of job `id` runs on for a stream that broke: a copy arriving meanwhile waits for it. */
  lostRun(id: string): void {
    this.#lostRuns.add(id);
  }

  /** A broken stream's handler ended: the copy held for it, if any, to be checked again. */
  release(id: string): { job: Job<unknown>; conn: Conn } | undefined {
    if (!this.#lostRuns.delete(id)) return undefined;
    const copy = this.#held.get(id);
    if (copy !== undefined) this.#held.delete(id);
    return copy;
  }
}
