/**
 * The take-stream decoders for tests, built the way a take builds them (`src/stream/frames.ts`):
 * `takeTransformer` picks by Content-Type, MessagePack's framing gets a decoder of its own.
 */
import { Decoder } from "@msgpack/msgpack";
import { frameStream, takeTransformer } from "../../src/stream/frames.ts";
import { MsgpackFrames } from "../../src/stream/msgpack-frames.ts";
import { NdjsonFrameTransformer } from "../../src/stream/ndjson.ts";
import type { FrameDecoderOptions, FrameTransformer } from "../../src/stream/options.ts";
import { SseFrameTransformer } from "../../src/stream/sse.ts";

type Decoded = TransformStream<Uint8Array, unknown>;

/** The MessagePack framing as `loadMsgpackFrames` makes it, without the dynamic import. */
export const msgpackFrames = (options?: FrameDecoderOptions): MsgpackFrames => new MsgpackFrames(new Decoder(), options);

/** A MessagePack take's transformer for `contentType` (MessagePack's decoder loaded). */
export const transformerFor = (contentType: string | null, options?: FrameDecoderOptions): FrameTransformer =>
  takeTransformer(contentType, options, msgpackFrames);

export const decoderFor = (contentType: string | null, options?: FrameDecoderOptions): Decoded => frameStream(transformerFor(contentType, options));
export const ndjsonDecoder = (options?: FrameDecoderOptions): Decoded => frameStream(new NdjsonFrameTransformer(options));
export const sseDecoder = (options?: FrameDecoderOptions): Decoded => frameStream(new SseFrameTransformer(options));
export const msgpackDecoder = (options?: FrameDecoderOptions): Decoded => frameStream(msgpackFrames(options));
