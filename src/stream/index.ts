import { ZizqFrameError } from "../errors/frame-error.ts";
import { MsgpackFrameTransformer } from "./msgpack.ts";
import { NdjsonFrameTransformer } from "./ndjson.ts";
import { MEDIA } from "../protocol/media.ts";
import { type FrameDecoderOptions, type FrameTransformer, frameStream } from "./options.ts";
import { SseFrameTransformer } from "./sse.ts";

export { MsgpackFrameTransformer, msgpackDecoder } from "./msgpack.ts";
export { NdjsonFrameTransformer, ndjsonDecoder } from "./ndjson.ts";
export { type FrameDecoderOptions, type FrameSink, type FrameTransformer, frameStream, maxFrameBytes } from "./options.ts";
export { SseFrameTransformer, sseDecoder } from "./sse.ts";

/**
 * The frame transformer for a take response's Content-Type (parameters such as `; charset=utf-8`
 * and case are ignored): `application/x-ndjson`, `application/vnd.zizq.msgpack-stream` or
 * `text/event-stream`. Anything else (or none) throws a `ZizqFrameError` (`unsupported_format`).
 */
export function transformerFor(contentType: string | null, options?: FrameDecoderOptions): FrameTransformer {
  const semi = contentType === null ? -1 : contentType.indexOf(";");
  const media = contentType === null ? "" : (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  switch (media) {
    case MEDIA.ndjson:
      return new NdjsonFrameTransformer(options);
    case MEDIA.msgpackStream:
      return new MsgpackFrameTransformer(options);
    case MEDIA.sse:
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
