import type { BatchConfig } from "../../types/job.ts";
import { type Jq, JqError } from "../jq.ts";
import { InternalError, InvalidOperation } from "./errors.ts";

export function need(jq: Jq | undefined): Jq {
  if (!jq) throw new InternalError("jq is not loaded");
  return jq;
}

const truthy = (value: unknown) => value !== undefined && value !== null && value !== false;

/** `when` at fold time: a runtime error counts as falsy, so a broken predicate only seals. */
export function foldsInto(jq: Jq, batch: BatchConfig, existing: unknown, incoming: unknown): boolean {
  try {
    return truthy(jq.first(batch.when, existing, incoming));
  } catch {
    return false;
  }
}

/** The batch job's payload after `fold`; a runtime failure here is the server's 500. */
export function fold(jq: Jq, batch: BatchConfig, existing: unknown, incoming: unknown): unknown {
  let outputs: unknown[];
  try {
    outputs = jq.firstTwo(batch.fold, existing, incoming);
  } catch (error) {
    throw new InternalError(`fold expression failed at runtime: ${(error as Error).message}`);
  }
  if (outputs.length !== 1) throw new InternalError("fold expression produced the wrong number of outputs");
  return outputs[0];
}

/** Compiles both expressions and dry-runs them with the payload as `$existing` and `$new`. */
export function validateBatch(jq: Jq, batch: { when: string; fold: string }, payload: unknown): void {
  for (const [name, expr] of [
    ["when", batch.when],
    ["fold", batch.fold],
  ] as const) {
    try {
      jq.compileBatch(expr);
    } catch (error) {
      throw new InvalidOperation(`batch expression: ${name}: ${(error as Error).message}`);
    }
  }
  try {
    jq.first(batch.when, payload, payload);
  } catch (error) {
    if (!(error instanceof JqError)) throw error;
    throw new InvalidOperation(`batch dry-run: when: expression failed at runtime: ${error.message}`);
  }
  let outputs: unknown[];
  try {
    outputs = jq.firstTwo(batch.fold, payload, payload);
  } catch (error) {
    if (!(error instanceof JqError)) throw error;
    throw new InvalidOperation(`batch dry-run: fold: fold expression failed at runtime: ${error.message}`);
  }
  if (outputs.length === 0) throw new InvalidOperation("batch dry-run: fold: fold expression produced no output");
  if (outputs.length > 1) {
    throw new InvalidOperation("batch dry-run: fold: fold expression produced more than one output");
  }
}
