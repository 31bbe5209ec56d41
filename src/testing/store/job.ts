import type { Job } from "../../types/job.ts";
import { wireJob } from "../../protocol/mapping/wire-job.ts";
import type { WireErrorRecord, WireJob } from "../../protocol/wire.ts";
import { scru128String } from "scru128";
import type { EnqueueInput } from "../http/requests.ts";
import type { BudgetBinding } from "./budgets.ts";
import { storedPayload } from "./payload.ts";

export const DEFAULT_PRIORITY = 32768;

/** Whoever holds an in-flight job: a take stream. */
export interface Holder {
  release(job: StoredJob): void;
}

/** A job as the test server keeps it: the client's view of a job, plus what the server tracks. */
export interface StoredJob extends Job {
  errors: WireErrorRecord[];
  /** The take stream holding the job while it is in flight, and the attempts it was taken at. */
  holder?: Holder;
  heldAttempts?: number;
  /** The budgets the job draws on (Zizq 0.7), in binding order; empty when unthrottled. */
  budgets: BudgetBinding[];
  /** `while_in_flight` tokens the job holds while in flight, given back when it leaves. */
  slots?: BudgetBinding[] | undefined;
  /** Bumped whenever the job's place in the ready or scheduled index changes, to retire old entries. */
  version: number;
}

/** The JSON form of a backoff exponent: serde prints an f32 by its shortest decimal. */
export function f32Decimal(value: number): number {
  const single = Math.fround(value);
  for (let digits = 1; digits < 10; digits++) {
    const candidate = Number(single.toPrecision(digits));
    if (Math.fround(candidate) === single) return candidate;
  }
  return single;
}

export interface ViewOptions {
  payload?: boolean;
  /** MessagePack carries the exponent as a float32, which decodes to its exact single value. */
  msgpack?: boolean;
  duplicate?: boolean;
  folded?: boolean;
}

/** The wire form of a job as the test server answers it. */
export function jobView(job: StoredJob, options: ViewOptions = {}): WireJob {
  const { msgpack, ...rest } = options;
  return wireJob(job, { ...rest, exponent: msgpack ? Math.fround : f32Decimal });
}

export const isTerminal = (job: StoredJob) => job.status === "completed" || job.status === "dead";

/** A new job from an enqueue template, with a fresh id (ids increase in enqueue order). */
export function newJob(input: EnqueueInput, budgets: BudgetBinding[], status: "scheduled" | "ready", readyAt: number): StoredJob {
  const job: StoredJob = {
    id: scru128String(),
    type: input.type,
    queue: input.queue,
    priority: input.priority ?? DEFAULT_PRIORITY,
    status,
    payload: storedPayload(input.payload),
    readyAt,
    attempts: 0,
    errors: [],
    budgets,
    version: 0,
  };
  if (input.retryLimit !== undefined) job.retryLimit = input.retryLimit;
  if (input.backoff) job.backoff = { ...input.backoff, exponent: f32Decimal(input.backoff.exponent) };
  if (input.retention) job.retention = { ...input.retention };
  return job;
}
