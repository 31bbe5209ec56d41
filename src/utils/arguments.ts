import { ZizqArgumentError } from "../errors/argument-error.ts";

/** A value as an error message shows it: strings quoted, objects by kind. */
export function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || typeof value !== "object") return typeof value === "function" ? "a function" : String(value);
  return Array.isArray(value) ? "an array" : value instanceof Date ? "a Date" : "an object";
}

/** An options object: any object but null or an array. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Refuses anything but an options object; undefined is fine (every option left out) unless `required`. */
export function checkObject(field: string, value: unknown, required = false): void {
  if ((required || value !== undefined) && !isObject(value)) throw new ZizqArgumentError(field, `expected an object, got ${shown(value)}`);
}

export function checkString(field: string, value: unknown): void {
  if (value !== undefined && typeof value !== "string") throw new ZizqArgumentError(field, `expected a string, got ${shown(value)}`);
}

export function checkBoolean(field: string, value: unknown): void {
  if (value !== undefined && typeof value !== "boolean") throw new ZizqArgumentError(field, `expected true or false, got ${shown(value)}`);
}

export function checkFunction(field: string, value: unknown): void {
  if (value !== undefined && typeof value !== "function") throw new ZizqArgumentError(field, `expected a function, got ${shown(value)}`);
}

/** An optional object whose `methods`, each optional too, are functions: `instrumentation.process` is named when it is not. */
export function checkMethods(field: string, value: unknown, methods: readonly string[]): void {
  checkObject(field, value);
  for (const method of methods) checkFunction(`${field}.${method}`, (value as Record<string, unknown> | undefined)?.[method]);
}

export function checkOneOf(field: string, value: unknown, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    throw new ZizqArgumentError(field, `expected one of ${allowed.map((item) => JSON.stringify(item)).join(", ")}, got ${shown(value)}`);
  }
}

export function checkSignal(field: string, value: unknown): void {
  if (value !== undefined && !(value instanceof AbortSignal)) throw new ZizqArgumentError(field, `expected an AbortSignal, got ${shown(value)}`);
}

/** An object whose keys are all in `known`: a misspelt hook or option must not pass silently. */
export function checkKnownKeys(field: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key in value) {
    if (!known.includes(key)) throw new ZizqArgumentError(`${field}.${key}`, `unknown; known: ${known.join(", ")}`);
  }
}

/**
 * An option given by its name or by its deprecated one (not both), with the name it was given by;
 * `path` prefixes that name in errors (`"options.backoff."`).
 */
export function renamed<Value>(options: object, name: string, old: string, path = ""): { value: Value; field: string } | undefined {
  const values = options as Record<string, Value | undefined>;
  const value = values[name];
  const oldValue = values[old];
  if (value !== undefined && oldValue !== undefined) {
    throw new ZizqArgumentError(`${path}${old}`, `the deprecated name of ${name}; give only ${name}`);
  }
  if (value !== undefined) return { value, field: `${path}${name}` };
  return oldValue === undefined ? undefined : { value: oldValue, field: `${path}${old}` };
}

/** A record of string headers that fetch accepts. */
export function checkHeaders(field: string, headers: unknown): void {
  if (headers === undefined) return;
  checkObject(field, headers);
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) checkHeader(`${field}.${name}`, name, value);
}

/** One header, as fetch would take it: a token name and a string value without line breaks. */
export function checkHeader(field: string, name: string, value: unknown): void {
  if (typeof value !== "string") throw new ZizqArgumentError(field, `expected a string, got ${shown(value)}`);
  try {
    new Headers([[name, value]]);
  } catch (error) {
    throw new ZizqArgumentError(field, `not a valid header: ${error instanceof Error ? error.message : String(error)}`);
  }
}
