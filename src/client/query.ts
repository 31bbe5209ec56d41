import type { BudgetBindingInput, BudgetChange } from "../types/budget.ts";
import type { JobFilter, Order } from "../types/filter.ts";
import type { ErrorRecord, Job } from "../types/job.ts";
import type { JobPatch } from "../types/patch.ts";
import { lazy } from "../utils/lazy.ts";
import type { Transport } from "./transport.ts";

/** What a `JobQuery` holds: its filter, order and page size. */
interface QueryState {
  filter: JobFilter;
  order: Order;
  pageSize: number;
  after?: string;
}

/** Running a query loads its code on first use; building one costs nothing. */
const run = lazy(() => import("./query-run.ts"));
const rebind = lazy(() => import("./query-budgets.ts"));

// Array.fromAsync needs Node 22.
async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/**
 * A lazy, immutable query over jobs: nothing is sent until it is iterated or one of its
 * terminal methods runs. `for await (const job of client.jobs({ queue: "emails" }))` walks
 * every page. The filter, order and page size are checked on first use: an unknown key or a
 * bad value throws `ZizqArgumentError` before any request.
 */
export class JobQuery<Payload = unknown> implements AsyncIterable<Job<Payload>> {
  private readonly state: QueryState;

  /** @internal Use `client.jobs(filter)`. */
  constructor(
    private readonly transport: Transport,
    filter: JobFilter = {},
    options: Omit<QueryState, "filter"> = { order: "asc", pageSize: 50 },
  ) {
    this.state = { ...options, filter };
  }

  /** Oldest first (`asc`, the default) or newest first, by enqueue order. */
  order(order: Order): JobQuery<Payload> {
    return new JobQuery(this.transport, this.state.filter, { ...this.state, order });
  }

  /** Jobs fetched per request while iterating, 1 to 2000. Default 50. */
  pageSize(size: number): JobQuery<Payload> {
    return new JobQuery(this.transport, this.state.filter, { ...this.state, pageSize: size });
  }

  /** Starts after the job with this id, in the query's order: the cursor of a paged listing. */
  after(id: string): JobQuery<Payload> {
    return new JobQuery(this.transport, this.state.filter, { ...this.state, after: id });
  }

  /** Every matching job, page by page as the loop asks for them. */
  async *[Symbol.asyncIterator](): AsyncIterator<Job<Payload>> {
    yield* (await run()).jobs<Payload>(this.transport, this.state);
  }

  /** Every matching job, in one array: mind the size of the result. */
  async toArray(): Promise<Job<Payload>[]> {
    return collect(this);
  }

  /** The first job in the query's order, or undefined. */
  async first(): Promise<Job<Payload> | undefined> {
    for await (const item of this.pageSize(1)) return item;
    return undefined;
  }

  /** How many jobs match, from the server's count endpoint (no job is fetched). */
  async count(): Promise<number> {
    return (await run()).count(this.transport, this.state.filter);
  }

  /** Applies a patch to every matching job that has not finished; answers how many matched. */
  async updateAll(patch: JobPatch): Promise<number> {
    return (await run()).updateAll(this.transport, this.state.filter, patch);
  }

  /** Deletes every matching job, in any status; answers how many. */
  async deleteAll(): Promise<number> {
    return (await run()).deleteAll(this.transport, this.state.filter);
  }

  // Bulk rebinding (Zizq 0.7, Pro): only queued jobs change; in-flight ones are listed as `blocked`.

  /** Binds a budget to every matching job that does not draw on it yet. */
  async bindBudget(binding: BudgetBindingInput): Promise<BudgetChange> {
    return (await rebind()).bindBudget(this.transport, this.state.filter, binding, false);
  }

  /** Binds a budget to every matching job, replacing the binding of jobs that have one. */
  async rebindBudget(binding: BudgetBindingInput): Promise<BudgetChange> {
    return (await rebind()).bindBudget(this.transport, this.state.filter, binding, true);
  }

  /** Changes the cost of `key` on every matching job that draws on it. */
  async setBudgetCost(key: string, cost: number): Promise<BudgetChange> {
    return (await rebind()).setBudgetCost(this.transport, this.state.filter, key, cost);
  }

  /** Unbinds the one budget `key` from every matching job; their other bindings stay. */
  async unbindBudget(key: string): Promise<BudgetChange> {
    return (await rebind()).unbindBudget(this.transport, this.state.filter, key);
  }

  /**
   * Unbinds EVERY budget from every matching job, leaving them unthrottled. Named apart from
   * `unbindBudget(key)` on purpose: mistaking one for the other lifts every limit at once.
   */
  async clearAllBudgets(): Promise<BudgetChange> {
    return (await rebind()).clearAllBudgets(this.transport, this.state.filter);
  }
}

/** A job's error history, oldest attempt first; iterate it or call `toArray()`. */
export class ErrorQuery implements AsyncIterable<ErrorRecord> {
  /** @internal Use `client.errors(id)`. */
  constructor(
    private readonly transport: Transport,
    private readonly jobId: string,
    private readonly size = 50,
  ) {}

  /** Records fetched per request, 1 to 2000. Default 50. */
  pageSize(size: number): ErrorQuery {
    return new ErrorQuery(this.transport, this.jobId, size);
  }

  /** Every error record, oldest attempt first, page by page. */
  async *[Symbol.asyncIterator](): AsyncIterator<ErrorRecord> {
    yield* (await run()).errors(this.transport, this.jobId, this.size);
  }

  /** Every error record, in one array. */
  async toArray(): Promise<ErrorRecord[]> {
    return collect(this);
  }
}
