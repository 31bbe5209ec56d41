import { ZizqValidationError } from "../errors/validation-error.ts";
import type { NotJson } from "./payload-check.ts";

/** Says what was found where, and how to send it instead; loaded only when a payload is refused. */
export function notJsonError(jobType: string, found: NotJson): ZizqValidationError {
  return new ZizqValidationError(jobType, [{ path: found.path.join("."), message: message(found) }]);
}

function message({ value, reason }: NotJson): string {
  switch (reason) {
    case "cycle":
      return "the value contains itself (a cycle)";
    case "getter":
      return `reading it threw: ${value instanceof Error ? value.message : String(value)}`;
    case "toJSON":
      return "an object with a toJSON method is not JSON data; send what toJSON() returns";
    case "arrayUndefined":
      return "undefined is not JSON data (in an array it would become null); use null";
    case "badKey":
      return "a key with a lone surrogate is not valid Unicode";
    case "protoKey":
      return 'a "__proto__" key is refused by MessagePack decoders and becomes a prototype in JavaScript; rename it';
    case "depth":
      return "is nested more than 64 levels deep, past what the wire carries reliably";
    case "value":
      return typeof value === "object" && value !== null ? notPlainObject(value) : notJsonPrimitive(value);
  }
}

function notJsonPrimitive(value: unknown): string {
  if (value === undefined) return "undefined is not JSON data; use null";
  if (typeof value === "string") return "a string with a lone surrogate is not valid Unicode";
  if (typeof value === "number") return `${value} is not JSON data; JSON numbers are finite`;
  if (typeof value === "bigint") return "a bigint is not JSON data; convert it (e.g. to a string)";
  return `a ${typeof value} is not JSON data`;
}

function notPlainObject(object: object): string {
  if (object instanceof Date) return "a Date is not JSON data; convert it (e.g. toISOString())";
  if (object instanceof Map) return "a Map is not JSON data; convert it (e.g. Object.fromEntries(map))";
  if (object instanceof Set) return "a Set is not JSON data; convert it (e.g. [...set])";
  if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) {
    return `a ${object.constructor.name} is not JSON data; convert it (e.g. to base64 text or an array of numbers)`;
  }
  if (object instanceof String || object instanceof Number || object instanceof Boolean) {
    return `a boxed ${typeof object.valueOf()} is not JSON data; use the primitive (valueOf())`;
  }
  const name = typeof object.constructor === "function" ? object.constructor.name : "";
  if (name === "" || name === "Object") return "an object with its own prototype is not plain JSON data; copy it into a plain object";
  return `a ${name} instance is not JSON data; convert it to a plain object`;
}
