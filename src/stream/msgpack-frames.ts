import { ZizqFrameError } from "../errors/frame-error.ts";
import { isObject } from "../utils/arguments.ts";
import { msgpackFrameId } from "./frame-id.ts";
import {
  describeCause,
  type FrameDecoderOptions,
  type FrameSink,
  maxFrameBytes,
  skipOrThrow,
  tooLarge,
} from "./options.ts";

/** What the framing needs of a MessagePack decoder (`@msgpack/msgpack`'s `Decoder`). */
export interface MsgpackDecode {
  decode(bytes: Uint8Array): unknown;
}

/**
 * The length-prefixed MessagePack take-stream framing: a 4-byte big-endian length N, then N bytes
 * holding one MessagePack map. N = 0 is a heartbeat and is skipped.
 *
 * A frame that lies whole inside one chunk is decoded in place (a `subarray`, no copy). A frame
 * split across chunks is copied once into a buffer of its declared length, which is checked
 * against `maxFrameBytes` before anything is allocated. A length prefix split across chunks is
 * gathered in a 4-byte scratch. Nothing is ever concatenated beyond that.
 *
 * The stream ending inside a length prefix or a body is an error (`truncated`): unlike a text
 * line, a partial MessagePack frame cannot be a complete job.
 *
 * With a sink that has `skip`, a frame over the cap or whose body is not a MessagePack map is
 * handed to it and decoding goes on at the next frame: the length prefix still frames the stream,
 * so an oversized body is passed over (its `size` bytes counted off as they come, never held).
 * The stream ending inside such a body is still `truncated`.
 *
 * The MessagePack decoder is passed in: `@msgpack/msgpack` is an optional peer, loaded by whoever
 * makes one of these (a take loads it, see `loadMsgpackFrames`).
 */
export class MsgpackFrames {
  private readonly decoder: MsgpackDecode;
  private readonly max: number;
  /** The length prefix gathered so far, when a chunk ended inside it. */
  private readonly prefix = new Uint8Array(4);
  private prefixHave = 0;
  /** The body being gathered, when a chunk ended inside it; its length is the declared N. */
  private body: Uint8Array | null = null;
  private bodyHave = 0;
  /** Bytes still to pass over of a skipped frame over the cap, and its declared length. */
  private drop = 0;
  private dropSize = 0;

  constructor(decoder: MsgpackDecode, options?: FrameDecoderOptions) {
    this.decoder = decoder;
    this.max = maxFrameBytes(options);
  }

  transform(chunk: Uint8Array, sink: FrameSink): void {
    const length = chunk.byteLength;
    let pos = 0;
    if (this.body !== null) {
      const body = this.body;
      const take = Math.min(body.byteLength - this.bodyHave, length);
      body.set(take === length ? chunk : chunk.subarray(0, take), this.bodyHave);
      this.bodyHave += take;
      if (this.bodyHave < body.byteLength) return;
      this.body = null;
      this.bodyHave = 0;
      this.decode(body, sink);
      pos = take;
    } else if (this.drop !== 0) {
      pos = Math.min(this.drop, length);
      this.drop -= pos;
      if (this.drop !== 0) return;
    } else if (this.prefixHave !== 0) {
      const prefix = this.prefix;
      while (this.prefixHave < 4 && pos < length) prefix[this.prefixHave++] = chunk[pos++] as number;
      if (this.prefixHave < 4) return;
      this.prefixHave = 0;
      pos = this.frame(chunk, pos, u32(prefix, 0), sink);
      if (pos === -1) return;
    }
    while (length - pos >= 4) {
      pos = this.frame(chunk, pos + 4, u32(chunk, pos), sink);
      if (pos === -1) return;
    }
    while (pos < length) this.prefix[this.prefixHave++] = chunk[pos++] as number;
  }

  flush(): void {
    if (this.body !== null) {
      const declared = this.body.byteLength;
      const have = this.bodyHave;
      this.body = null;
      throw new ZizqFrameError("truncated", `msgpack take stream: ended inside a frame (${have} of its ${declared} bytes received)`, {
        format: "msgpack",
        bytes: declared,
      });
    }
    if (this.drop !== 0) {
      const declared = this.dropSize;
      const have = declared - this.drop;
      this.drop = 0;
      throw new ZizqFrameError(
        "truncated",
        `msgpack take stream: ended inside a skipped frame (${have} of its ${declared} bytes received)`,
        { format: "msgpack", bytes: declared },
      );
    }
    if (this.prefixHave !== 0) {
      throw new ZizqFrameError(
        "truncated",
        `msgpack take stream: ended inside a length prefix (${this.prefixHave} of 4 bytes received)`,
        { format: "msgpack", bytes: this.prefixHave },
      );
    }
  }

  /**
   * Starts the frame of `size` bytes whose body begins at `chunk[pos]`: decodes it if it is all
   * there and returns the position after it, or starts gathering it and returns -1.
   */
  private frame(chunk: Uint8Array, pos: number, size: number, sink: FrameSink): number {
    if (size === 0) return pos;
    if (size > this.max) return this.oversize(chunk, pos, size, sink);
    const end = pos + size;
    if (end <= chunk.byteLength) {
      this.decode(chunk.subarray(pos, end), sink);
      return end;
    }
    const body = new Uint8Array(size);
    body.set(chunk.subarray(pos));
    this.body = body;
    this.bodyHave = chunk.byteLength - pos;
    return -1;
  }

  /**
   * A frame declaring more than the cap, its body starting at `chunk[pos]`: throws, or hands it to
   * `sink.skip` and passes over its body, returning the position after it or -1 if it goes on past
   * this chunk (its job id is read when the body's head is in this chunk).
   */
  private oversize(chunk: Uint8Array, pos: number, size: number, sink: FrameSink): number {
    const end = pos + size;
    const error = tooLarge("msgpack", size, this.max, "a frame declaring", msgpackFrameId(chunk, pos, Math.min(end, chunk.byteLength)));
    if (sink.skip === undefined) throw error;
    if (end > chunk.byteLength) {
      this.drop = end - chunk.byteLength;
      this.dropSize = size;
    }
    sink.skip(error);
    return end > chunk.byteLength ? -1 : end;
  }

  private decode(bytes: Uint8Array, sink: FrameSink): void {
    let frame: unknown;
    try {
      frame = this.decoder.decode(bytes);
    } catch (cause) {
      skipOrThrow(sink, this.bad(bytes, `invalid MessagePack (${describeCause(cause)})`, cause));
      return;
    }
    if (isObject(frame)) sink.enqueue(frame);
    else skipOrThrow(sink, this.bad(bytes, "a frame must be a MessagePack map"));
  }

  private bad(bytes: Uint8Array, problem: string, cause?: unknown): ZizqFrameError {
    return new ZizqFrameError(
      "malformed",
      `msgpack take stream: a frame of ${bytes.byteLength} bytes is not a job frame: ${problem}; starts ${hex(bytes)}`,
      { format: "msgpack", bytes: bytes.byteLength, jobId: msgpackFrameId(bytes, 0, bytes.byteLength), cause },
    );
  }
}

/** The big-endian unsigned 32-bit integer at `bytes[at]`. */
function u32(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] as number) * 0x1000000 + (((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number))
  );
}

function hex(bytes: Uint8Array): string {
  let out = "";
  const n = Math.min(bytes.byteLength, 24);
  for (let i = 0; i < n; i++) out += (bytes[i] as number).toString(16).padStart(2, "0");
  return bytes.byteLength > n ? `${out}…` : out;
}
