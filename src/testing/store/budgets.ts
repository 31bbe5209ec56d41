import type { BindingInput, PolicyPatchInput } from "../http/budget-requests.ts";
import { TokenBucket } from "./bucket.ts";
import { capacityOf, checkBudgetKey, checkPolicy, mergePolicy, type Policy, parsePolicy, strategyView } from "./budget-policy.ts";
import { Conflict, InvalidOperation, NotFound } from "./errors.ts";
import { compareUtf8 } from "./payload.ts";

/** A job's claim on a budget, as stored and shown: `cost` tokens per dispatch. */
export interface BudgetBinding {
  key: string;
  cost: number;
}

/** A binding after the 422 checks that need no store: key rules, `bucket`, the `create_with` strategy. */
export interface ParsedBinding {
  key: string;
  cost?: number;
  createWith?: Policy;
}

/** What still draws on a budget: the costs of unfinished jobs, and cron entries (`group/entry`). */
export interface References {
  jobCosts: number[];
  cronCosts: Array<{ entry: string; cost: number }>;
}

/** A budget: its policy, and its live state (not persisted by the server: a restart refills it). */
export interface Budget {
  key: string;
  policy: Policy;
  createdAt: number;
  updatedAt: number;
  /** `time_based` only. */
  bucket?: TokenBucket;
  /** Tokens held by in-flight jobs (`while_in_flight`); may exceed a shrunken allocation. */
  inUse: number;
}

const rateOf = (policy: Policy) =>
  policy.strategy.type === "time_based"
    ? { allocation: policy.allocation, durationMs: policy.strategy.durationMs, capacity: capacityOf(policy) }
    : undefined;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The budget registry (Zizq 0.7): policies by key, with the delete, shrink and count guards. */
export class Budgets {
  private readonly byKey = new Map<string, Budget>();

  constructor(private readonly config: { now(): number; maxBudgets: number }) {}

  get(key: string): Budget | undefined {
    return this.byKey.get(key);
  }

  /** Every budget, in bytewise key order. */
  list(): Budget[] {
    return [...this.byKey.values()].sort((a, b) => compareUtf8(a.key, b.key));
  }

  /** `POST`: creates, and refuses a key that exists (409) without touching it. */
  create(key: string, policy: Policy): Budget {
    if (this.byKey.has(key)) throw new Conflict(`budget '${key}' already exists`);
    return this.add(key, policy);
  }

  /** `PUT`: creates, or replaces the whole policy (the burst too) keeping `created_at`. */
  put(key: string, policy: Policy, references: () => References): Budget {
    const budget = this.byKey.get(key);
    return budget ? this.retune(budget, policy, references()) : this.add(key, policy);
  }

  /** `PATCH`: merges into an existing policy; never creates. */
  patch(key: string, patch: PolicyPatchInput, references: () => References): Budget {
    const budget = this.find(key);
    return this.retune(budget, mergePolicy(budget.policy, patch), references());
  }

  /** `DELETE`: refused (409) while a cron entry or an unfinished job draws on it, crons first. */
  delete(key: string, references: () => References): void {
    this.find(key);
    const { jobCosts, cronCosts } = references();
    const [example] = cronCosts.map((c) => c.entry).sort(compareUtf8);
    if (example !== undefined) {
      throw new Conflict(
        `budget '${key}' is referenced by ${plural(cronCosts.length, "cron entry", "cron entries")}, including '${example}'. Remove them before deleting it.`,
      );
    }
    if (jobCosts.length > 0) {
      throw new Conflict(
        `budget '${key}' is referenced by ${plural(jobCosts.length, "unfinished job", "unfinished jobs")}. Delete them or wait for them to finish before deleting it.`,
      );
    }
    this.byKey.delete(key);
  }

  clear(): void {
    this.byKey.clear();
  }

  /** Drops a budget without the guards: undoes a creation by a write that failed after all. */
  forget(key: string): void {
    this.byKey.delete(key);
  }

  /** A restart: policies stay, every bucket is full again and no slot is held. */
  refill(): void {
    const now = this.config.now();
    for (const budget of this.byKey.values()) {
      budget.inUse = 0;
      const rate = rateOf(budget.policy);
      if (rate) budget.bucket = new TokenBucket(rate, now);
    }
  }

  /** The wire form, in the server's key order. */
  view(budget: Budget): Record<string, unknown> {
    return {
      key: budget.key,
      allocation: budget.policy.allocation,
      strategy: strategyView(budget.policy.strategy),
      created_at: budget.createdAt,
      updated_at: budget.updatedAt,
    };
  }

  /** Resolves bindings for a write, planning the budgets their `create_with` will create. */
  plan(): BindingPlan {
    return new BindingPlan(this);
  }

  /** The budget, or 404. */
  find(key: string): Budget {
    const budget = this.byKey.get(key);
    if (!budget) throw new NotFound(`budget '${key}' not found`);
    return budget;
  }

  /** Refuses a new budget past `--max-budgets`; `pending` are budgets this write creates first. */
  checkRoom(key: string, pending = 0): void {
    if (this.byKey.size + pending < this.config.maxBudgets) return;
    throw new InvalidOperation(
      `cannot create budget '${key}': the server already holds its maximum of ${this.config.maxBudgets} budgets (--max-budgets / ZIZQ_MAX_BUDGETS). Raise the limit, or express the throttle as one shared budget rather than one per caller.`,
    );
  }

  /** Creates a budget, full. */
  add(key: string, policy: Policy): Budget {
    checkPolicy(policy);
    this.checkRoom(key);
    const now = this.config.now();
    const rate = rateOf(policy);
    const budget: Budget = { key, policy, createdAt: now, updatedAt: now, inUse: 0 };
    if (rate) budget.bucket = new TokenBucket(rate, now);
    this.byKey.set(key, budget);
    return budget;
  }

  /** A new policy for an existing budget, in force at once; refused below what is committed to it. */
  private retune(budget: Budget, policy: Policy, references: References): Budget {
    checkPolicy(policy);
    const capacity = capacityOf(policy);
    const { key } = budget;
    const cron = references.cronCosts.reduce<{ entry: string; cost: number } | undefined>(
      (top, c) => (!top || c.cost > top.cost ? c : top),
      undefined,
    );
    if (cron && cron.cost > capacity) {
      throw new InvalidOperation(
        `budget '${key}' cannot allocate ${capacity}: cron entry '${cron.entry}' draws ${cron.cost} from it. Lower the entry's cost or remove it first.`,
      );
    }
    const most = Math.max(0, ...references.jobCosts);
    if (most > capacity) {
      throw new InvalidOperation(
        `budget '${key}' cannot allocate ${capacity}: ${plural(references.jobCosts.length, "unfinished job", "unfinished jobs")} draw up to ${most} from it. Raise the allocation, delete them, or wait for them to drain.`,
      );
    }
    const now = this.config.now();
    const rate = rateOf(policy);
    if (!rate) delete budget.bucket;
    else if (budget.bucket) budget.bucket.retune(rate, now);
    else budget.bucket = new TokenBucket(rate, now);
    budget.policy = policy;
    budget.updatedAt = now;
    return budget;
  }
}

/** The 422 checks of a binding that need no budget: key rules, `bucket`, the `create_with` strategy. */
export function parseBinding(input: BindingInput): ParsedBinding {
  checkBudgetKey(input.key);
  if (input.bucket !== undefined) {
    throw new InvalidOperation(`budget '${input.key}' sets bucket, which is reserved and not yet supported`);
  }
  const parsed: ParsedBinding = { key: input.key };
  if (input.cost !== undefined) parsed.cost = input.cost;
  if (input.createWith) parsed.createWith = parsePolicy(input.createWith);
  return parsed;
}

/**
 * The budgets one write names, checked against the registry: each must exist or come with a
 * `create_with` (the first policy for a new key wins), and each cost must fit its capacity.
 * Nothing is created until `commit`, so a refused write creates nothing.
 */
export class BindingPlan {
  private readonly creates = new Map<string, Policy>();

  constructor(private readonly budgets: Budgets) {}

  resolve(bindings: readonly ParsedBinding[]): BudgetBinding[] {
    const seen = new Set<string>();
    return bindings.map(({ key, cost = 1, createWith }) => {
      if (seen.has(key)) throw new InvalidOperation(`budget '${key}' named more than once`);
      seen.add(key);
      let policy = this.budgets.get(key)?.policy ?? this.creates.get(key);
      if (!policy) {
        if (!createWith) {
          throw new InvalidOperation(`budget '${key}' does not exist and no create_with policy was supplied to create it with`);
        }
        checkPolicy(createWith);
        this.budgets.checkRoom(key, this.creates.size);
        this.creates.set(key, (policy = createWith));
      }
      if (cost < 1) throw new InvalidOperation(`budget '${key}' cost must be at least 1`);
      const capacity = capacityOf(policy);
      if (cost > capacity) throw new InvalidOperation(`cost ${cost} exceeds budget '${key}', which holds at most ${capacity}`);
      return { key, cost };
    });
  }

  /** Creates the planned budgets; the returned function deletes them again. */
  commit(): () => void {
    const created = [...this.creates].map(([key, policy]) => this.budgets.add(key, policy).key);
    this.creates.clear();
    return () => {
      for (const key of created) this.budgets.forget(key);
    };
  }
}
