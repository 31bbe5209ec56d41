import type { JobStatus } from "../../protocol/wire.ts";
import { Heap } from "./heap.ts";
import type { StoredJob } from "./job.ts";

/** A job as filed at one moment: it is stale once the job's `version` moves on. */
interface Entry {
  job: StoredJob;
  version: number;
}

type Before = (a: StoredJob, b: StoredJob) => boolean;

export const byPriorityThenId: Before = (a, b) => (a.priority !== b.priority ? a.priority < b.priority : a.id < b.id);

export const byReadyAtThenId: Before = (a, b) => (a.readyAt !== b.readyAt ? a.readyAt < b.readyAt : a.id < b.id);

/**
 * Jobs of one status in a fixed order. A job is re-filed by bumping its `version` and pushing
 * it again; the entries it left behind are dropped when they reach the top.
 */
export class JobHeap {
  private readonly heap: Heap<Entry>;

  constructor(
    private readonly before: Before,
    private readonly status: JobStatus,
  ) {
    this.heap = new Heap((a, b) => before(a.job, b.job));
  }

  get size(): number {
    return this.heap.size;
  }

  push(job: StoredJob): void {
    this.heap.push({ job, version: job.version });
  }

  /** The first job still filed here, discarding stale entries on the way. */
  top(): StoredJob | undefined {
    for (let entry = this.heap.peek(); entry; entry = this.heap.peek()) {
      if (entry.version === entry.job.version && entry.job.status === this.status) return entry.job;
      this.heap.pop();
    }
    return undefined;
  }

  pop(): void {
    this.heap.pop();
  }

  /** The first job still filed here that `accept` passes: a scan, for the test helpers' filters. */
  firstAccepted(accept: (job: StoredJob) => boolean): StoredJob | undefined {
    let first: StoredJob | undefined;
    for (const { job, version } of this.heap) {
      if (version !== job.version || job.status !== this.status || !accept(job)) continue;
      if (!first || this.before(job, first)) first = job;
    }
    return first;
  }

  clear(): void {
    this.heap.clear();
  }
}

/** Ready jobs per queue, each queue in (priority, id) order. */
export class QueueHeaps {
  private readonly heaps = new Map<string, JobHeap>();

  push(job: StoredJob): void {
    let heap = this.heaps.get(job.queue);
    if (!heap) this.heaps.set(job.queue, (heap = new JobHeap(byPriorityThenId, "ready")));
    heap.push(job);
  }

  /** The best live job among the given queues (all when empty), of those `accept` passes when given. */
  best(queues: ReadonlySet<string>, accept?: (job: StoredJob) => boolean): StoredJob | undefined {
    let best: StoredJob | undefined;
    const consider = (heap: JobHeap | undefined) => {
      const job = accept ? heap?.firstAccepted(accept) : heap?.top();
      if (job && (!best || byPriorityThenId(job, best))) best = job;
    };
    if (queues.size === 0) for (const heap of this.heaps.values()) consider(heap);
    else for (const queue of queues) consider(this.heaps.get(queue));
    return best;
  }

  /** The first live job of each queue. */
  *heads(): Generator<StoredJob> {
    for (const heap of this.heaps.values()) {
      const job = heap.top();
      if (job) yield job;
    }
  }

  /** Forgets queues with nothing live left, so an idle queue costs nothing to scan. */
  dropEmpty(): void {
    for (const [queue, heap] of this.heaps) if (!heap.top()) this.heaps.delete(queue);
  }

  get empty(): boolean {
    return this.heaps.size === 0;
  }

  clear(): void {
    this.heaps.clear();
  }
}
