/**
 * The trace carrier in a job's payload. Zizq jobs have no headers, so a producer that is told to
 * propagate writes its propagator's fields (W3C `traceparent`, `tracestate`, ...) under one
 * reserved payload field, and a consumer takes them out before the schema and the handler see
 * the payload. A batch fold keeps the carriers of every job it folded, as a list.
 */
import type { Job } from "../types/job.ts";
import type { OutgoingJob } from "../processing/instrumentation.ts";

/** The payload field that carries the trace context, unless `traceField` names another. */
export const DEFAULT_TRACE_FIELD = "_zizq_trace";

/** A propagator's fields: `{ traceparent, tracestate? }` for W3C Trace Context. */
export type Carrier = Record<string, string>;

/** Carriers a folded job keeps: the latest ones, which a span links to. */
export const MAX_FOLDED_CARRIERS = 32;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Writes `carrier` into the job's payload (a copy: the caller's object is left alone). Only an
 * object payload can carry one; answers whether it did. A batch's fold is wrapped so that the
 * folded job keeps every job's carrier.
 */
export function inject(job: OutgoingJob, field: string, carrier: Carrier): boolean {
  if (!isPlainObject(job.payload) || Object.keys(carrier).length === 0) return false;
  job.payload = { ...job.payload, [field]: carrier };
  if (job.batch) job.batch = { ...job.batch, fold: keepingCarriers(job.batch.fold, field) };
  return true;
}

/**
 * The fold, then the carriers of `$existing` (one, or the list of an earlier fold) and `$new`
 * gathered under `field`, the latest MAX_FOLDED_CARRIERS kept. A fold whose result is not an
 * object is left as it is. jq and jaq (the server's) read it alike.
 */
export function keepingCarriers(fold: string, field: string): string {
  const key = JSON.stringify(field);
  const carriers = `[$existing, $new] | map(select(type == "object") | .[${key}] | if type == "array" then .[] elif type == "object" then . else empty end)`;
  return `(${fold}) as $zizq_folded | if ($zizq_folded | type) == "object" then $zizq_folded | .[${key}] = ((${carriers}) | .[-${MAX_FOLDED_CARRIERS}:]) else $zizq_folded end`;
}

/**
 * The job without its carrier field (a copy; the job itself is left as taken), and the carriers
 * it held; undefined for a job without the field.
 */
export function extract(job: Job<unknown>, field: string): { job: Job<unknown>; carriers: Carrier[] } | undefined {
  const payload = job.payload;
  if (!isPlainObject(payload) || !Object.hasOwn(payload, field)) return undefined;
  const { [field]: held, ...rest } = payload;
  const carriers = (Array.isArray(held) ? held : [held]).filter(isCarrier);
  return { job: { ...job, payload: rest }, carriers };
}

function isCarrier(value: unknown): value is Carrier {
  return isPlainObject(value) && Object.values(value).every((field) => typeof field === "string");
}
