import { ZizqFrameError } from "../errors/frame-error.ts";
import { MsgpackFrameTransformer } from "./msgpack.ts";
import { NdjsonFrameTransformer } from "./ndjson.ts";
import { type FrameDecoderOptions, type FrameSink, frameStream } from "./options.ts";
import { SseFrameTransformer } from "./sse.ts";

export { MsgpackFrameTransformer, msgpackDecoder } from "./msgpack.ts";
export { NdjsonFrameTransformer, ndjsonDecoder } from "./ndjson.ts";
export { DEFAULT_MAX_FRAME_BYTES, type FrameDecoderOptions, type FrameSink } from "./options.ts";
export { SseFrameTransformer, sseDecoder } from "./sse.ts";

/** One of the frame transformers: drive it by hand (`transform(chunk, sink)`, then `flush(sink)`) or wrap it in a `TransformStream`. */
export interface FrameTransformer {
  /** Decodes one chunk, handing each complete frame to `sink`; throws a `ZizqFrameError` on bad input. */
  transform(chunk: Uint8Array, sink: FrameSink): void;
  /** Ends the stream: decodes a final unterminated line, or throws if a frame was cut short. */
  flush(sink: FrameSink): void;
}

/**
 * The frame transformer for a take response's Content-Type (parameters such as `; charset=utf-8`
 * and case are ignored): `application/x-ndjson`, `application/vnd.zizq.msgpack-stream` or
 * `text/event-stream`. Anything else (or none) throws a `ZizqFrameError` (`unsupported_format`).
 */
export function transformerFor(contentType: string | null, options?: FrameDecoderOptions): FrameTransformer {
  const semi = contentType === null ? -1 : contentType.indexOf(";");
  const media = contentType === null ? "" : (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  switch (media) {
    case "application/x-ndjson":
      return new NdjsonFrameTransformer(options);
    case "application/vnd.zizq.msgpack-stream":
      return new MsgpackFrameTransformer(options);
    case "text/event-stream":
      return new SseFrameTransformer(options);
    default:
      throw new ZizqFrameError(
        "unsupported_format",
        contentType === null
          ? "take stream: the response has no Content-Type, so its framing is unknown"
          : `take stream: unsupported Content-Type ${JSON.stringify(contentType)} (expected application/x-ndjson, application/vnd.zizq.msgpack-stream or text/event-stream)`,
        { contentType },
      );
  }
}

/**
 * A `TransformStream` that turns the bytes of a `GET /jobs/take` response into frames, picked by
 * the response's Content-Type: `response.body.pipeThrough(decoderFor(response.headers.get("content-type")))`.
 */
export function decoderFor(contentType: string | null, options?: FrameDecoderOptions): TransformStream<Uint8Array, unknown> {
  return frameStream(transformerFor(contentType, options));
}
