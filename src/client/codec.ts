import { MEDIA } from "../protocol/media.ts";
import type { Answer } from "./exchange.ts";

/** The wire format of request and response bodies. */
export type Format = "json" | "msgpack";
export const FORMATS: readonly Format[] = ["json", "msgpack"];

type Msgpack = Awaited<typeof import("./msgpack-codec.ts").msgpackCodec>;
let msgpack: Promise<Msgpack> | undefined;

/** MessagePack is loaded on first use, so JSON-only bundles never carry it. */
function loadMsgpack(): Promise<Msgpack> {
  msgpack ??= import("./msgpack-codec.ts").then((module) => module.msgpackCodec);
  return msgpack;
}

/** A request body in the format; its Content-Type is the format's media type. JSON is encoded at once, with no promise to wait on. */
export function encodeBody(body: unknown, format: Format): string | Promise<Uint8Array<ArrayBuffer>> {
  if (format === "json") return JSON.stringify(body);
  return loadMsgpack().then(({ encode }) => encode(body) as Uint8Array<ArrayBuffer>);
}

/** Decodes by the response's Content-Type, whatever was asked for (406 and 415 bodies are JSON). */
export async function decodeBody(response: Answer): Promise<unknown> {
  const type = response.headers.get("content-type") ?? "";
  if (type.includes(MEDIA.msgpack)) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length === 0) return undefined;
    const { decode } = await loadMsgpack();
    return decode(bytes);
  }
  const text = await response.text();
  if (text === "") return undefined;
  return type.includes(MEDIA.json) ? JSON.parse(text) : text;
}
