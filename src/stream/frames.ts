/**
 * The take stream's decoders as a take needs them: NDJSON and SSE at once, MessagePack only
 * when loaded, so a JSON user never imports `@msgpack/msgpack` (an optional peer).
 */
import { ZizqFrameError } from "../errors/frame-error.ts";
import { MEDIA } from "../protocol/media.ts";
import { loadWithPeers, MSGPACK_PEER } from "../utils/optional-peers.ts";
import type { MsgpackFrameTransformer } from "./msgpack.ts";
import { NdjsonFrameTransformer } from "./ndjson.ts";
import type { FrameDecoderOptions, FrameTransformer } from "./options.ts";
import { SseFrameTransformer } from "./sse.ts";

export { frameStream, maxFrameBytes } from "./options.ts";

export type MsgpackFrames = typeof MsgpackFrameTransformer;
let msgpackFrames: Promise<MsgpackFrames> | undefined;

/** The MessagePack frame decoder, loaded once; a missing `@msgpack/msgpack` fails naming the option and its install command. */
export function loadMsgpackFrames(): Promise<MsgpackFrames> {
  msgpackFrames ??= loadWithPeers(MSGPACK_PEER, () => import("./msgpack.ts")).then((module) => module.MsgpackFrameTransformer);
  return msgpackFrames;
}

/**
 * The frame transformer for a take response's Content-Type (parameters such as `; charset=utf-8`
 * and case are ignored): `application/x-ndjson`, `application/vnd.zizq.msgpack-stream` (with
 * `msgpack`, the loaded decoder) or `text/event-stream`. Anything else (or none), or MessagePack
 * without its decoder (a JSON take answered in MessagePack), throws a `ZizqFrameError` (`unsupported_format`).
 */
export function takeTransformer(contentType: string | null, options: FrameDecoderOptions | undefined, msgpack: MsgpackFrames | undefined): FrameTransformer {
  const semi = contentType === null ? -1 : contentType.indexOf(";");
  const media = contentType === null ? "" : (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  switch (media) {
    case MEDIA.ndjson:
      return new NdjsonFrameTransformer(options);
    case MEDIA.msgpackStream:
      if (msgpack !== undefined) return new msgpack(options);
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
