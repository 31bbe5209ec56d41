import type { Budget, Budgets } from "./budgets.ts";
import { Heap } from "./heap.ts";
import { byPriorityThenId, QueueHeaps } from "./job-heaps.ts";
import type { StoredJob } from "./job.ts";

/**
 * Dispatch under budgets. A ready job bound to budgets is parked in each of its budgets' queues,
 * in (priority, id) order, instead of the plain ready index. It may go when it is the head of
 * every budget it names (as the stream's queue filter sees them: a cheaper job never overtakes
 * its own budget's head) and every one of them can pay its cost, all or nothing.
 *
 * A budget that cannot pay even its cheapest head sleeps: claims skip it until a slot comes back,
 * a job is parked or unparked on it, a policy changes, or (`time_based`) its refill is due. So
 * thousands of exhausted budgets (one per tenant) cost a claim nothing.
 */
export class Throttle {
  private readonly parked = new Map<string, QueueHeaps>();
  /** Budgets with parked jobs that claims look at; the others sleep. */
  private readonly awake = new Set<string>();
  /** When sleeping `time_based` budgets can pay again; an alarm whose budget woke early is ignored. */
  private readonly alarms = new Heap<{ key: string; at: number }>((a, b) => a.at < b.at);

  constructor(private readonly budgets: Budgets) {}

  park(job: StoredJob): void {
    for (const { key } of job.budgets) {
      let heaps = this.parked.get(key);
      if (!heaps) this.parked.set(key, (heaps = new QueueHeaps()));
      heaps.push(job);
      this.awake.add(key);
    }
  }

  /** A parked job left (deleted, moved, rebound): the next in line may be cheaper. */
  unpark(job: StoredJob): void {
    for (const { key } of job.budgets) this.wake(key);
  }

  /** Every budget may be able to pay again (a policy change, a restart). */
  wakeAll(): void {
    for (const key of this.parked.keys()) this.awake.add(key);
  }

  /**
   * The best parked job a stream on `queues` may take now, if any. `accept` (the test helpers'
   * type filter) only rules jobs out: a budget's head it refuses still holds back the jobs behind it.
   */
  next(queues: ReadonlySet<string>, now: number, accept?: (job: StoredJob) => boolean): StoredJob | undefined {
    const heads = new Map<string, StoredJob>();
    for (const [key, heaps] of this.payers(now)) {
      const head = heaps.best(queues);
      if (head) heads.set(key, head);
    }
    let best: StoredJob | undefined;
    for (const job of new Set(heads.values())) {
      if ((best && !byPriorityThenId(job, best)) || (accept && !accept(job))) continue;
      if (job.budgets.every(({ key }) => heads.get(key) === job) && this.affordable(job, now)) best = job;
    }
    return best;
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

  /** The job left in flight (any way): its `while_in_flight` slots come back. */
  release(job: StoredJob): void {
    const slots = job.slots;
    if (!slots) return;
    job.slots = undefined;
    for (const { key, cost } of slots) {
      const budget = this.budgets.get(key);
      if (budget) budget.inUse -= cost;
      this.wake(key);
    }
  }

  /**
   * The earliest time, after `now`, at which a parked head that only waits for a drip can pay: the
   * server sleeps until then. A head short of a `while_in_flight` slot waits for a release, not a
   * clock, and one that can pay now is waiting for a stream, so neither sets a time.
   */
  nextAffordableAt(now: number): number | undefined {
    let next: number | undefined;
    const consider = (at: number) => {
      if (at > now && at !== Number.POSITIVE_INFINITY && (next === undefined || at < next)) next = at;
    };
    for (const [, heaps] of this.payers(now)) for (const head of heaps.heads()) consider(this.payableAt(head, now));
    for (let alarm = this.alarms.peek(); alarm && !this.sleeps(alarm.key); alarm = this.alarms.peek()) this.alarms.pop();
    const alarm = this.alarms.peek();
    if (alarm) consider(alarm.at);
    return next;
  }

  /** Whether some parked head can pay now, so idle streams should look again. */
  anyAffordable(now: number): boolean {
    for (const [, heaps] of this.payers(now)) {
      for (const head of heaps.heads()) if (this.payableAt(head, now) <= now) return true;
    }
    return false;
  }

  clear(): void {
    this.parked.clear();
    this.awake.clear();
    this.alarms.clear();
  }

  private wake(key: string): void {
    if (this.parked.has(key)) this.awake.add(key);
  }

  private sleeps(key: string): boolean {
    return this.parked.has(key) && !this.awake.has(key);
  }

  /**
   * The budgets with parked jobs worth looking at: due alarms wake their budgets first; a budget
   * found unable to pay its cheapest head is put to sleep instead; one with nothing left is dropped.
   */
  private *payers(now: number): Generator<[string, QueueHeaps]> {
    for (let alarm = this.alarms.peek(); alarm && alarm.at <= now; alarm = this.alarms.peek()) {
      this.alarms.pop();
      this.wake(alarm.key);
    }
    for (const key of this.awake) {
      const heaps = this.parked.get(key);
      let cheapest = Number.POSITIVE_INFINITY;
      for (const head of heaps?.heads() ?? []) cheapest = Math.min(cheapest, costOn(head, key));
      if (!heaps || cheapest === Number.POSITIVE_INFINITY) {
        this.parked.delete(key);
        this.awake.delete(key);
        continue;
      }
      const budget = this.budgets.get(key);
      if (budget && !canPay(budget, cheapest, now)) {
        this.awake.delete(key);
        if (budget.bucket) this.alarms.push({ key, at: budget.bucket.readyAt(cheapest, now) });
        continue;
      }
      yield [key, heaps];
    }
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

const costOn = (job: StoredJob, key: string) => job.budgets.find((binding) => binding.key === key)?.cost ?? 1;

function canPay(budget: Budget, cost: number, now: number): boolean {
  return budget.bucket ? budget.bucket.available(now) >= cost : budget.policy.allocation - budget.inUse >= cost;
}
