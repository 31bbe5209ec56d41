/**
 * Attribute names and values from the OpenTelemetry messaging semantic conventions, written out
 * rather than imported: `@opentelemetry/semantic-conventions` keeps them in its experimental
 * entry, and they are a handful of strings.
 */
import type { Attributes } from "@opentelemetry/api";

export const SYSTEM = "zizq";
export const OPERATION_NAME = "messaging.operation.name";
export const OPERATION_TYPE = "messaging.operation.type";
export const DESTINATION = "messaging.destination.name";
export const MESSAGE_ID = "messaging.message.id";
export const BATCH_COUNT = "messaging.batch.message_count";
export const ERROR_TYPE = "error.type";
/** The job's type (Zizq routes on it); no convention names it. */
export const JOB_TYPE = "zizq.job.type";
/** This attempt, from 1. */
export const JOB_ATTEMPT = "zizq.job.attempt";
/** completed, failed or killed. */
export const JOB_OUTCOME = "zizq.job.outcome";
export const JOB_DUPLICATE = "zizq.job.duplicate";
export const JOB_FOLDED = "zizq.job.folded";

/**
 * The system under both names: `messaging.system` (what most backends read today) and
 * `messaging.system.name`, which replaces it in the current conventions.
 */
export const SYSTEM_ATTRIBUTES: Attributes = Object.freeze({ "messaging.system": SYSTEM, "messaging.system.name": SYSTEM });

/** The attributes of an operation: `send`, `create` and `process` are also their types; `ack` is a `settle`. */
export function operation(name: "send" | "create" | "process" | "ack", destination?: string): Attributes {
  const attributes: Attributes = { ...SYSTEM_ATTRIBUTES, [OPERATION_NAME]: name, [OPERATION_TYPE]: name === "ack" ? "settle" : name };
  if (destination !== undefined) attributes[DESTINATION] = destination;
  return attributes;
}

/** Histogram buckets for durations in seconds (the conventions' advice for HTTP and messaging durations). */
export const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
