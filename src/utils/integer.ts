import { ZizqArgumentError } from "../errors/argument-error.ts";
import { shown } from "./arguments.ts";

/** `value` if it is a safe integer ≥ `min`; otherwise an argument error naming `field`. */
export function integerAtLeast(field: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw new ZizqArgumentError(field, `expected an integer ≥ ${min}, got ${shown(value)}`);
  return value;
}

/** `value` if it is an integer from `min` to `max`; undefined passes (the option is left out). */
export function integerIn(field: string, value: unknown, min: number, max: number): void {
  if (value !== undefined && (!Number.isInteger(value) || (value as number) < min || (value as number) > max)) {
    throw new ZizqArgumentError(field, `expected an integer from ${min} to ${max}, got ${shown(value)}`);
  }
}
