import { MsgpackFrameTransformer } from "./msgpack.ts";
import { takeTransformer } from "./frames.ts";
import { type FrameDecoderOptions, type FrameTransformer, frameStream } from "./options.ts";

export { MsgpackFrameTransformer, msgpackDecoder } from "./msgpack.ts";
export { NdjsonFrameTransformer, ndjsonDecoder } from "./ndjson.ts";
export { type FrameDecoderOptions, type FrameSink, type FrameTransformer, frameStream, maxFrameBytes } from "./options.ts";
export { SseFrameTransformer, sseDecoder } from "./sse.ts";

/**
 * The frame transformer for a take response's Content-Type, MessagePack's included: every decoder
 * is imported here. A take uses `./frames.ts` instead, which loads MessagePack only when asked.
 */
export function transformerFor(contentType: string | null, options?: FrameDecoderOptions): FrameTransformer {
  return takeTransformer(contentType, options, (msgpackOptions) => new MsgpackFrameTransformer(msgpackOptions));
}

/**
 * A `TransformStream` that turns the bytes of a `GET /jobs/take` response into frames, picked by
 * the response's Content-Type: `response.body.pipeThrough(decoderFor(response.headers.get("content-type")))`.
 */
export function decoderFor(contentType: string | null, options?: FrameDecoderOptions): TransformStream<Uint8Array, unknown> {
  return frameStream(transformerFor(contentType, options));
}
