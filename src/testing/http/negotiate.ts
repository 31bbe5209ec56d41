import { decode } from "@msgpack/msgpack";
import { MEDIA, STREAM_TYPES, UNARY_TYPES } from "../../protocol/media.ts";
import { ApiError, type Format, NOT_ACCEPTABLE, UNSUPPORTED_MEDIA_TYPE } from "./respond.ts";

// The server matches media types by substring and ignores q-values; so do we.

/** The response format from `Accept` (406 when it names neither JSON nor MessagePack). */
export function acceptFormat(request: Request): Format {
  const accept = request.headers.get("accept");
  if (accept === null) return "json";
  if (accept.includes(MEDIA.msgpack)) return "msgpack";
  if (accept.includes(MEDIA.json) || accept.includes("*/*")) return "json";
  throw NOT_ACCEPTABLE(UNARY_TYPES);
}

export type StreamFormat = "ndjson" | "msgpack" | "sse";

/** The take-stream framing from `Accept`. */
export function streamFormat(request: Request): StreamFormat {
  const accept = request.headers.get("accept");
  if (accept === null) return "ndjson";
  if (accept.includes(MEDIA.sse)) return "sse";
  if (accept.includes(MEDIA.msgpackStream) || accept.includes(MEDIA.msgpack)) return "msgpack";
  if (accept.includes(MEDIA.ndjson) || accept.includes(MEDIA.json) || accept.includes("*/*")) return "ndjson";
  throw NOT_ACCEPTABLE(STREAM_TYPES);
}

/** A body that does not decode; the message is prefixed with the format's name. */
export class BodyError extends Error {}

/**
 * Reads and decodes the request body by its `Content-Type` (415 for anything but JSON or
 * MessagePack, 400 when it does not parse). `shape` turns the decoded value into the handler's
 * input and throws `BodyError` with a serde-style message when a field is wrong.
 */
export async function readBody<T>(request: Request, format: Format, shape: (value: unknown) => T): Promise<T> {
  const type = request.headers.get("content-type");
  let input: "json" | "msgpack";
  if (type === null) input = "json";
  else if (type.includes(MEDIA.msgpack)) input = "msgpack";
  else if (type.includes(MEDIA.json)) input = "json";
  else throw new ApiError(415, UNSUPPORTED_MEDIA_TYPE, format);

  const bytes = new Uint8Array(await request.arrayBuffer());
  const prefix = input === "json" ? "invalid JSON" : "invalid MessagePack";
  try {
    return shape(input === "json" ? parseJson(bytes) : parseMsgpack(bytes));
  } catch (error) {
    if (error instanceof BodyError) throw new ApiError(400, { error: `${prefix}: ${error.message}` }, format);
    throw error;
  }
}

// Keeps a byte-order mark in the text, where JSON.parse refuses it as serde_json does.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function parseJson(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new BodyError("invalid unicode code point at line 1 column 1");
  }
  if (text.trim() === "") throw new BodyError(`EOF while parsing a value at ${position(text, text.length)}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const at = /position (\d+)/.exec(String(error))?.[1];
    throw new BodyError(`expected value at ${position(text, at === undefined ? 0 : Number(at))}`);
  }
  if (depth(value) > JSON_DEPTH_LIMIT) throw new BodyError(`recursion limit exceeded at ${position(text, text.length)}`);
  return value;
}

/** serde_json refuses arrays and objects nested deeper than this. */
const JSON_DEPTH_LIMIT = 128;
/** rmp-serde's default depth limit. */
const MSGPACK_DEPTH_LIMIT = 1024;

/** How deeply arrays and objects nest in a decoded value (walked without recursion). */
function depth(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [node, level] = item;
    if (node === null || typeof node !== "object") continue;
    deepest = Math.max(deepest, level + 1);
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, level + 1]);
  }
  return deepest;
}

/** serde_json's "line L column C" for a character offset. */
function position(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - (before.lastIndexOf("\n") + 1);
  return `line ${line} column ${column}`;
}

function parseMsgpack(bytes: Uint8Array): unknown {
  let value: unknown;
  try {
    value = decode(bytes);
  } catch (error) {
    throw new BodyError(error instanceof Error ? error.message : String(error));
  }
  if (depth(value) > MSGPACK_DEPTH_LIMIT) throw new BodyError("depth limit exceeded");
  assertJsonValue(value);
  return value;
}

/** JSON has no bytes and no extension types; the server rejects them wherever a value goes. */
function assertJsonValue(value: unknown): void {
  const stack = [value];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node === null || typeof node !== "object") continue;
    if (node instanceof Uint8Array) throw new BodyError("invalid type: byte array, expected any valid JSON value");
    if (!Array.isArray(node) && Object.getPrototypeOf(node) !== Object.prototype) {
      throw new BodyError("invalid type: extension, expected any valid JSON value");
    }
    stack.push(...(Array.isArray(node) ? node : Object.values(node)));
  }
}
