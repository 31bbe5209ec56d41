import { isWellFormed } from "../utils/well-formed.ts";

/*
 * The rule for payloads, the same for JSON and MessagePack: plain JSON data only. That is null,
 * booleans, finite numbers, well-formed strings, arrays and plain objects; an object member whose
 * value is `undefined` is left out, as both encoders do. Everything else is refused, because one
 * format or the other would change it silently (JSON turns a Date into a string, NaN into null,
 * a Map into `{}`, drops functions) or the server would refuse it (MessagePack timestamps and
 * byte arrays, lone surrogates), and a payload must come back to its handler as it was sent.
 */

/** Why a value is not JSON data; `value` alone means its type is not. */
export type NotJsonReason = "value" | "cycle" | "getter" | "toJSON" | "arrayUndefined" | "badKey" | "protoKey" | "depth";

/** Where a payload stops being JSON data: the path to the bad value, the value, and why. */
export interface NotJson {
  path: (string | number)[];
  value: unknown;
  reason: NotJsonReason;
}

/**
 * The first place where `payload` is not JSON data, or undefined when it all is. One pass, and
 * no allocation unless something is wrong: containers are not remembered for finding cycles,
 * since a cycle shows as nesting past `MAX_DEPTH`, which the wire does not carry anyway; only
 * then does a second pass remember them, to tell a cycle from deep nesting and say where.
 */
export function findNotJson(payload: unknown): NotJson | undefined {
  const outer = ancestors;
  try {
    ancestors = undefined;
    try {
      walk(payload, 0);
      return undefined;
    } catch (error) {
      if (!(error instanceof Found)) throw error;
      if (error.found.reason !== "depth") return error.found;
    }
    ancestors = [];
    try {
      walk(payload, 0);
    } catch (error) {
      if (error instanceof Found) return error.found;
      throw error;
    }
    // The first pass went too deep, the second not: a getter answered differently.
    return { path: [], value: payload, reason: "depth" };
  } finally {
    ancestors = outer;
  }
}

/** Thrown at the bad value; each container on the way out puts its key in front of the path. */
class Found {
  readonly found: NotJson;
  constructor(value: unknown, reason: NotJsonReason) {
    this.found = { path: [], value, reason };
  }
}

/**
 * Containers nested deeper than this are refused. Each part on the way has its own limit:
 * serde_json (the server's JSON parser) 128 levels, @msgpack/msgpack's encoder 100 counting the
 * body and reply around the payload (a cron group wraps it four deep); 64 leaves room for all.
 */
const MAX_DEPTH = 64;

/** The containers around the value being checked, in the second pass only. */
let ancestors: object[] | undefined;

function walk(value: unknown, depth: number): void {
  switch (typeof value) {
    case "string":
      if (!isWellFormed(value)) throw new Found(value, "value");
      return;
    case "number":
      if (!Number.isFinite(value)) throw new Found(value, "value");
      return;
    case "boolean":
      return;
    case "object":
      if (value === null) return;
      break;
    default:
      throw new Found(value, "value");
  }
  if (ancestors?.includes(value)) throw new Found(value, "cycle");
  if (depth === MAX_DEPTH) throw new Found(value, "depth");
  ancestors?.push(value);
  if (Array.isArray(value)) walkArray(value, depth + 1);
  else walkObject(value, depth + 1);
  ancestors?.pop();
}

function walkArray(array: unknown[], depth: number): void {
  let i = 0;
  try {
    for (; i < array.length; i++) {
      const item = read(array, i);
      // JSON would write null for it (a hole too), and null is not what was there.
      if (item === undefined) throw new Found(item, "arrayUndefined");
      walk(item, depth);
    }
  } catch (error) {
    if (error instanceof Found) error.found.path.unshift(i);
    throw error;
  }
}

function walkObject(object: object, depth: number): void {
  const prototype = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) throw new Found(object, "value");
  // JSON.stringify would call it and MessagePack would not: the two would send different data.
  if (typeof (object as { toJSON?: unknown }).toJSON === "function") throw new Found(object, "toJSON");
  let key = "";
  try {
    // for-in walks the keys without making an array of them; a plain object inherits none.
    for (key in object) {
      if (!isWellFormed(key)) throw new Found(key, "badKey");
      // MessagePack decoders refuse it; JavaScript's JSON.parse makes it an own key, but code
      // that copies the object sets its prototype instead.
      if (key === "__proto__") throw new Found(key, "protoKey");
      const member = read(object as Record<string, unknown>, key);
      // Both encoders leave undefined members out.
      if (member !== undefined) walk(member, depth);
    }
  } catch (error) {
    if (error instanceof Found) error.found.path.unshift(key);
    throw error;
  }
}

/** A member's value; a getter that throws is reported at its path. */
function read<Key extends string | number>(container: Record<Key, unknown>, key: Key): unknown {
  try {
    return container[key];
  } catch (error) {
    throw new Found(error, "getter");
  }
}
