import type { Budgets } from "./budgets.ts";
import { byPriorityThenId, QueueHeaps } from "./job-heaps.ts";
import type { StoredJob } from "./job.ts";

/**
 * Dispatch under budgets. A ready job bound to budgets is parked in each of its budgets' queues,
 * in (priority, id) order, instead of the plain ready index. It may go when it is the head of
 * every budget it names (as the stream's queue filter sees them: a cheaper job never overtakes
 * its own budget's head) and every one of them can pay its cost, all or nothing.
 */
export class Throttle {
  private readonly parked = new Map<string, QueueHeaps>();

  constructor(private readonly budgets: Budgets) {}

  park(job: StoredJob): void {
    for (const { key } of job.budgets) {
      let heaps = this.parked.get(key);
      if (!heaps) this.parked.set(key, (heaps = new QueueHeaps()));
      heaps.push(job);
    }
  }

  /** The best parked job a stream on `queues` may take now, if any. */
  next(queues: ReadonlySet<string>, now: number): StoredJob | undefined {
    const heads = new Map<string, StoredJob>();
    for (const [key, heaps] of this.parked) {
      const head = heaps.best(queues);
      if (head) heads.set(key, head);
      else heaps.dropEmpty();
      if (heaps.empty) this.parked.delete(key);
    }
    const candidates = [...new Set(heads.values())].sort((a, b) => (byPriorityThenId(a, b) ? -1 : 1));
    return candidates.find(
      (job) => job.budgets.every(({ key }) => heads.get(key) === job) && this.affordable(job, now),
    );
  }

  /** Takes the job's tokens from every budget it names; `while_in_flight` ones come back on release. */
  debit(job: StoredJob, now: number): void {
    const held = [];
    for (const { key, cost } of job.budgets) {
      const budget = this.budgets.get(key);
      if (!budget) continue;
      if (budget.bucket) budget.bucket.spend(cost, now);
      else {
        budget.inUse += cost;
        held.push({ key, cost });
      }
    }
    if (held.length > 0) job.slots = held;
  }

  /** The job left in flight (any way): its `while_in_flight` slots come back. True when any did. */
  release(job: StoredJob): boolean {
    const slots = job.slots;
    if (!slots) return false;
    job.slots = undefined;
    for (const { key, cost } of slots) {
      const budget = this.budgets.get(key);
      if (budget) budget.inUse -= cost;
    }
    return true;
  }

  /**
   * The earliest time, after `now`, at which a parked head that only waits for a drip can pay: the
   * server sleeps until then. A head short of a `while_in_flight` slot waits for a release, not a
   * clock, and one that can pay now is waiting for a stream, so neither sets a time.
   */
  nextAffordableAt(now: number): number | undefined {
    let next: number | undefined;
    for (const heaps of this.parked.values()) {
      for (const head of heaps.heads()) {
        const at = this.payableAt(head, now);
        if (at > now && at !== Number.POSITIVE_INFINITY && (next === undefined || at < next)) next = at;
      }
    }
    return next;
  }

  /** Whether some parked head can pay now, so idle streams should look again. */
  anyAffordable(now: number): boolean {
    for (const heaps of this.parked.values()) {
      for (const head of heaps.heads()) if (this.payableAt(head, now) <= now) return true;
    }
    return false;
  }

  clear(): void {
    this.parked.clear();
  }

  private affordable(job: StoredJob, now: number): boolean {
    return this.payableAt(job, now) <= now;
  }

  /** When every budget of the job can pay its cost at once; infinity while a slot is short. */
  private payableAt(job: StoredJob, now: number): number {
    let at = now;
    for (const { key, cost } of job.budgets) {
      const budget = this.budgets.get(key);
      if (!budget) continue;
      if (budget.bucket) at = Math.max(at, budget.bucket.readyAt(cost, now));
      else if (budget.policy.allocation - budget.inUse < cost) return Number.POSITIVE_INFINITY;
    }
    return at;
  }
}
