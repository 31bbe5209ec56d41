import type { BudgetBindingInput, BudgetChange } from "../types/budget.ts";
import type { JobFilter, Order } from "../types/filter.ts";
import type { ErrorRecord, Job, JobInfo } from "../types/job.ts";
import type { JobPatch } from "../types/patch.ts";
import { ZizqArgumentError } from "../errors/argument-error.ts";
import { isJobDefinition, type JobDefinition } from "../job/define-job.ts";
import { checkObject } from "../utils/arguments.ts";
import { lazy } from "../utils/lazy.ts";
import type { Listing } from "./query-run.ts";
import { Sequence } from "./sequence.ts";
import type { Transport } from "./transport.ts";


/** Running a query loads its code on first use; building one costs nothing. */
const run = lazy(() => import("./query-run.ts"));
const rebind = lazy(() => import("./query-budgets.ts"));
const one = lazy(() => import("./query-one.ts"));

/** `client.jobs`' filter: given a job definition first, its filter narrowed to the definition's type. */
export function ofDefinition(first: JobFilter | JobDefinition, filter: JobFilter = {}): JobFilter {
  if (!isJobDefinition(first)) return first;
  checkObject("filter", filter);
  if ("type" in filter) throw new ZizqArgumentError("filter.type", `the definition gives the type (${JSON.stringify(first.type)}); leave it out`);
  return { ...filter, type: first.type };
}

/**
 * A lazy, immutable query over jobs: nothing is sent until it is iterated or one of its
 * terminal methods runs. `for await (const job of client.jobs({ queue: "emails" }))` walks
 * every page. The filter, order and page size are checked on first use: an unknown key or a
 * bad value throws `ZizqArgumentError` before any request.
 *
 * `map`, `filter` and `pages` are lazy too; `filter` runs in JavaScript on each job fetched, so
 * narrow what is fetched with the query's own filter (`payload`, `filter`, ...) first.
 */
export class JobQuery<Payload = unknown> implements AsyncIterable<Job<Payload>> {
  private readonly state: Listing;

  /** @internal Use `client.jobs(filter)`. */
  constructor(
    private readonly transport: Transport,
    filter: JobFilter = {},
    options: Omit<Listing, "filter"> = { order: "asc", pageSize: 50 },
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

  /**
   * The matching jobs a page at a time, as the server returns them (`pageSize` jobs, the last
   * page fewer), following its next links as the loop asks for them.
   */
  pages(): Sequence<Job<Payload>[]> {
    const { transport, state } = this;
    return new Sequence({
      async *[Symbol.asyncIterator]() {
        yield* (await run()).jobPages<Payload>(transport, state);
      },
    });
  }

  /** Each matching job through `fn`, lazily; `await query.map((job) => job.id).toArray()`. */
  map<T>(fn: (job: Job<Payload>, index: number) => T | PromiseLike<T>): Sequence<T> {
    return new Sequence(this).map(fn);
  }

  /** The matching jobs `predicate` (run here, on each job fetched) answers truthy for, lazily. */
  filter<Matched extends Job<Payload>>(predicate: (job: Job<Payload>, index: number) => job is Matched): Sequence<Matched>;
  filter(predicate: (job: Job<Payload>, index: number) => unknown): Sequence<Job<Payload>>;
  filter(predicate: (job: Job<Payload>, index: number) => unknown): Sequence<Job<Payload>> {
    return new Sequence(this).filter(predicate);
  }

  /** Calls `fn` on every matching job in turn, awaiting each call before the next. */
  async forEach(fn: (job: Job<Payload>, index: number) => unknown): Promise<void> {
    return new Sequence(this).forEach(fn);
  }

  /** Every matching job, in one array: mind the size of the result. */
  async toArray(): Promise<Job<Payload>[]> {
    return new Sequence(this).toArray();
  }

  /** The first job in the query's order, or undefined. */
  async first(): Promise<Job<Payload> | undefined> {
    return new Sequence(this.pageSize(1)).first();
  }

  /**
   * The last job in the query's order, or undefined: one request, the first in the other order.
   * After a cursor, two: whether any job follows it, then the last of all, which then does too.
   */
  async last(): Promise<Job<Payload> | undefined> {
    const { filter, order, pageSize, after } = this.state;
    if (after !== undefined && (await this.first()) === undefined) return undefined;
    return new JobQuery<Payload>(this.transport, filter, { order: order === "desc" ? "asc" : "desc", pageSize }).first();
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

  /**
   * Applies a patch to the one matching job and answers it as changed (without its payload), or
   * undefined when no job matches. When more than one does, throws `ZizqMultipleMatchesError`
   * and changes nothing. The job found is then changed by id, even if it stopped matching in
   * between (taken by a worker, say). A finished job cannot be patched (the server's 422).
   */
  async updateOne(patch: JobPatch): Promise<JobInfo | undefined> {
    return (await one()).updateOne(this.transport, this.state.filter, patch);
  }

  /**
   * Deletes the one matching job and answers it as it was found, or undefined when no job
   * matches. When more than one does, throws `ZizqMultipleMatchesError` and deletes nothing.
   * The job found is then deleted by id, even if it stopped matching in between.
   */
  async deleteOne(): Promise<Job<Payload> | undefined> {
    return (await one()).deleteOne<Payload>(this.transport, this.state.filter);
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
    return new Sequence(this).toArray();
  }
}
