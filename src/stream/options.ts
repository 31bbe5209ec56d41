import { ZizqArgumentError } from "../errors/argument-error.ts";
import { type FrameFormat, ZizqFrameError } from "../errors/frame-error.ts";

/** Options every take-stream decoder accepts. */
export interface FrameDecoderOptions {
  /**
   * The largest frame accepted, in bytes (a job with its payload). Enforced while buffering: an
   * NDJSON line that never ends, or a MessagePack frame that declares more, fails with a
   * `ZizqFrameError` (`too_large`) before more than this much is held.
   * @default 8_388_608 (8 MiB)
   */
  maxFrameBytes?: number | undefined;
}

const DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;

/**
 * Where a decoder puts the frames it decodes. A `TransformStreamDefaultController` is one; a Worker
 * that drives a frame transformer by hand (no per-frame stream hop) can pass its own.
 */
export interface FrameSink {
  enqueue(frame: unknown): void;
  /**
   * Called instead of throwing for a bad frame the decoder can resynchronise past (too large, or
   * malformed with intact framing); the stream goes on. Without it the decoder throws.
   */
  skip?(error: ZizqFrameError): void;
}

/** Hands `error` to `sink.skip`, or throws it when the sink cannot skip bad frames. */
export function skipOrThrow(sink: FrameSink, error: ZizqFrameError): void {
  if (sink.skip === undefined) throw error;
  sink.skip(error);
}

export function maxFrameBytes(options: FrameDecoderOptions | undefined): number {
  const max = options?.maxFrameBytes;
  if (max === undefined) return DEFAULT_MAX_FRAME_BYTES;
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new ZizqArgumentError("maxFrameBytes", `must be a positive integer, got ${String(max)}`);
  }
  return max;
}

const EXCERPT = 60;

/** The start of a bad frame, quoted, for an error message. */
export function excerpt(text: string): string {
  return JSON.stringify(text.length > EXCERPT ? `${text.slice(0, EXCERPT)}…` : text);
}

export function tooLarge(format: FrameFormat, bytes: number, limit: number, what: string, jobId: string | undefined): ZizqFrameError {
  return new ZizqFrameError(
    "too_large",
    `${format} take stream: ${what} of ${bytes} bytes or more exceeds maxFrameBytes (${limit})`,
    { format, bytes, limit, jobId },
  );
}

export function describeCause(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** UTF-8 length of `text[start, end)`, for the rare line long enough for its exact size to matter. */
export function utf8Length(text: string, start: number, end: number): number {
  let bytes = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < end) {
      bytes += 4; // a surrogate pair is one 4-byte code point
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** A frame transformer: drive it by hand (`transform(chunk, sink)`, then `flush(sink)`) or wrap it with `frameStream`. */
export interface FrameTransformer {
  /**
   * Decodes one chunk, handing each complete frame to `sink`; throws a `ZizqFrameError` on bad
   * input, or hands it to `sink.skip` and goes on when the sink has one and the frame can be passed over.
   */
  transform(chunk: Uint8Array, sink: FrameSink): void;
  /** Ends the stream: decodes a final unterminated line, or throws if a frame was cut short (even with `skip`). */
  flush(sink: FrameSink): void;
}

/**
 * Hands a transformer's errors to `controller.error()` instead of letting them escape `transform`:
 * the readable side errors the same way, but workerd also reports a throw from `transform` as an
 * unhandled rejection (even when every promise the caller holds is handled), and this does not.
 */
class ErrorToController implements Transformer<Uint8Array, unknown> {
  constructor(private readonly inner: FrameTransformer) {}

  transform(chunk: Uint8Array, controller: TransformStreamDefaultController<unknown>): void {
    try {
      this.inner.transform(chunk, controller);
    } catch (error) {
      controller.error(error);
    }
  }

  flush(controller: TransformStreamDefaultController<unknown>): void {
    try {
      this.inner.flush(controller);
    } catch (error) {
      controller.error(error);
    }
  }
}

/** A `TransformStream` of frames around a frame transformer. */
export function frameStream(transformer: FrameTransformer): TransformStream<Uint8Array, unknown> {
  return new TransformStream(new ErrorToController(transformer));
}
