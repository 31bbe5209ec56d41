import type { Job } from "../../client/types.ts";
import { wireJob } from "../../protocol/job-wire.ts";
import type { WireErrorRecord, WireJob } from "../../protocol/wire.ts";

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
