import type { Jq } from "../jq.ts";
import type { EnqueueInput } from "../http/requests.ts";
import type { BudgetBinding } from "./budgets.ts";
import type { StoredJob } from "./job.ts";
import { type EnqueueResult, JobStore } from "./store.ts";

/**
 * A store that also keeps every job it created since its last reset, even after the job is
 * completed, killed, reaped or deleted: what the test helpers' assertions read. A job is kept as
 * the object the store mutates, so it shows the job's latest state, or its last one once removed.
 */
export class RecordingStore extends JobStore {
  #created: StoredJob[] = [];

  override enqueue(inputs: readonly EnqueueInput[], jq: Jq | undefined, bindings?: readonly BudgetBinding[][]): EnqueueResult[] {
    const results = super.enqueue(inputs, jq, bindings);
    for (const { job, duplicate, folded } of results) if (!duplicate && !folded) this.#created.push(job);
    return results;
  }

  override reset(): void {
    super.reset();
    this.#created = [];
  }

  /** Every job created since the last reset, oldest first. */
  created(): readonly StoredJob[] {
    return this.#created;
  }
}
