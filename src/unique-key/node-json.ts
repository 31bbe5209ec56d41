/**
 * The text the official Node client (zizq-labs/zizq-node, `payloadHasher`) feeds to SHA-256 for
 * a JSON value: JSON.stringify's scalars, object keys in UTF-16 order (`sort()`), and a comma
 * after every array item and object member, the last included (specified in docs/unique-keys.md).
 */
import { ZizqArgumentError } from "../errors/argument-error.ts";
import type { Json } from "./path.ts";

/** What `only` leaves in an array slot it did not pick: the Node client hashes no such hole. */
export const HOLE = Object.freeze({}) as Json;

export function nodeJson(value: Json): string {
  if (value === HOLE) {
    throw new ZizqArgumentError("only", "leaves an array slot before a picked index empty, which the Node client cannot hash (it throws); pick the slots before it too");
  }
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => `${nodeJson(item)},`).join("")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${nodeJson(value[key] as Json)},`).join("")}}`;
}
