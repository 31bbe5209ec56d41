import { encode } from "@msgpack/msgpack";
import { MEDIA, UNARY_TYPES } from "../../protocol/media.ts";

/** The response format of a unary endpoint, chosen from `Accept`. */
export type Format = "json" | "msgpack";

/** An error the server answers with; handlers throw it and the app renders it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    /** Forces the format of the body; 406 bodies are always JSON. */
    readonly format?: Format,
  ) {
    super(typeof body === "object" && body !== null && "error" in body ? String(body.error) : `HTTP ${status}`);
  }
}

/** A `{"error": message}` failure. */
export const fail = (status: number, message: string) => new ApiError(status, { error: message });

/** An axum extractor rejection: plain text, not JSON. */
export class PlainError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const NOT_ACCEPTABLE = (supported: readonly string[]) =>
  new ApiError(406, { error: "not acceptable", supported: [...supported] }, "json");

export const UNSUPPORTED_MEDIA_TYPE = { error: "unsupported media type", supported: [...UNARY_TYPES] };

export function respond(format: Format, status: number, body: unknown): Response {
  if (format === "msgpack") {
    return new Response(encode(body, { ignoreUndefined: true }), {
      status,
      headers: { "content-type": MEDIA.msgpack },
    });
  }
  return new Response(JSON.stringify(body), { status, headers: { "content-type": MEDIA.json } });
}

export const noContent = () => new Response(null, { status: 204 });

export const plainText = (status: number, text: string) =>
  new Response(text, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
