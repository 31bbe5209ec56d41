import { Decoder } from "@msgpack/msgpack";
import { MsgpackFrames } from "./msgpack-frames.ts";
import { type FrameDecoderOptions, frameStream } from "./options.ts";

/**
 * The length-prefixed MessagePack take-stream framing with its own decoder, for code that
 * imports `@msgpack/msgpack` itself; a take loads the same framing only when MessagePack is asked for.
 */
export class MsgpackFrameTransformer extends MsgpackFrames {
  constructor(options?: FrameDecoderOptions) {
    super(new Decoder(), options);
  }
}

/**
 * Decodes the bytes of a length-prefixed MessagePack (`application/vnd.zizq.msgpack-stream`)
 * `GET /jobs/take` response into frames: plain objects exactly as the server sent them.
 */
export function msgpackDecoder(options?: FrameDecoderOptions): TransformStream<Uint8Array, unknown> {
  return frameStream(new MsgpackFrameTransformer(options));
}
