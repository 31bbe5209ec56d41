import { ZizqArgumentError } from "../errors/argument-error.ts";
import { shown } from "../utils/arguments.ts";

/**
 * The server's rule for type, queue and cron names: not empty, no `,` (sets are comma
 * separated), no NUL, none of the reserved `* ? [ ] { } \`. Returns the server's message, or
 * undefined when the name is fine.
 */
export function nameError(field: string, value: string): string | undefined {
  if (value === "") return `${field} must not be empty`;
  if (value.includes(",")) return `${field} must not contain ','`;
  if (value.includes("\0")) return `${field} must not contain null bytes`;
  const reserved = /[*?[\]{}\\]/.exec(value);
  if (reserved) return `${field} must not contain '${reserved[0]}' (reserved)`;
  return undefined;
}

/** A type, queue or cron name, by the server's rules. */
export function checkName(field: string, value: unknown, kind = field): void {
  if (typeof value !== "string") throw new ZizqArgumentError(field, `expected a string, got ${shown(value)}`);
  const error = nameError(kind, value);
  if (error) throw new ZizqArgumentError(field, error);
}

/** A list of queue names; undefined (all queues) is fine. */
export function checkQueues(field: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw new ZizqArgumentError(field, `expected an array of queue names, got ${shown(value)}`);
  value.forEach((name, i) => checkName(`${field}[${i}]`, name, "queue"));
}
