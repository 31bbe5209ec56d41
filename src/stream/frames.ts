/**
 * The take stream's decoders as a take needs them: NDJSON and SSE at once, MessagePack only
 * when loaded, so a JSON user never imports `@msgpack/msgpack` (an optional peer).
 */
import { ZizqFrameError } from "../errors/frame-error.ts";
import { MEDIA } from "../protocol/media.ts";
import { importMsgpack } from "../utils/msgpack.ts";
import { NdjsonFrameTransformer } from "./ndjson.ts";
import type { FrameDecoderOptions, FrameTransformer } from "./options.ts";
import { SseFrameTransformer } from "./sse.ts";

export { frameStream, maxFrameBytes } from "./options.ts";

/** Makes a MessagePack frame transformer with its own decoder. */
export type MakeMsgpackFrames = (options?: FrameDecoderOptions) => FrameTransformer;
let makeMsgpackFrames: Promise<MakeMsgpackFrames> | undefined;

/** The MessagePack framing and `@msgpack/msgpack`, loaded once; a missing package fails naming the option and its install command. */
export function loadMsgpackFrames(): Promise<MakeMsgpackFrames> {
  makeMsgpackFrames ??= Promise.all([import("./msgpack-frames.ts"), importMsgpack()]).then(
    ([{ MsgpackFrames }, { Decoder }]) =>
      (options) =>
        new MsgpackFrames(new Decoder(), options),
  );
  return makeMsgpackFrames;
}

/**
 * The frame transformer for a take response's Content-Type (parameters such as `; charset=utf-8`
 * and case are ignored): `application/x-ndjson`, `application/vnd.zizq.msgpack-stream` (with
 * `msgpack`, the loaded framing) or `text/event-stream`. Anything else (or none), or MessagePack
 * without its decoder (a JSON take answered in MessagePack), throws a `ZizqFrameError` (`unsupported_format`).
 */
export function takeTransformer(contentType: string | null, options: FrameDecoderOptions | undefined, msgpack: MakeMsgpackFrames | undefined): FrameTransformer {
  const semi = contentType === null ? -1 : contentType.indexOf(";");
  const media = contentType === null ? "" : (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  switch (media) {
    case MEDIA.ndjson:
      return new NdjsonFrameTransformer(options);
    case MEDIA.msgpackStream:
      if (msgpack !== undefined) return msgpack(options);
      throw new ZizqFrameError(
        "unsupported_format",
        `take stream: a JSON take (Accept: ${MEDIA.ndjson}) was answered in MessagePack (${JSON.stringify(contentType)})`,
        { contentType },
      );
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
