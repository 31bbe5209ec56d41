import { ZizqArgumentError } from "../errors/argument-error.ts";

/** `value` if it is a safe integer ≥ `min`; otherwise an argument error naming `field`. */
export function integerAtLeast(field: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw new ZizqArgumentError(field, `expected an integer ≥ ${min}, got ${value}`);
  return value;
}
