import { ZizqError } from "./zizq-error.ts";

/** Why a take-stream frame could not be turned into a job. */
export type FrameErrorReason =
  /** A frame (declared, or buffered so far) is larger than `maxFrameBytes`. */
  | "too_large"
  /** A frame's bytes are not valid JSON / MessagePack / UTF-8, or not an object (map). */
  | "malformed"
  /** The stream ended in the middle of a frame (a MessagePack length prefix or body cut short). */
  | "truncated"
  /** The response's Content-Type is not a take-stream framing this client knows. */
  | "unsupported_format";

/** The framing of a take stream, as named by the decoders. */
export type FrameFormat = "ndjson" | "msgpack" | "sse";

export interface FrameErrorDetails {
  /** The framing being decoded; absent for `unsupported_format`. */
  format?: FrameFormat | undefined;
  /** The offending size in bytes: the declared or buffered frame length (`too_large`, `truncated`) or the frame's length (`malformed`). */
  bytes?: number | undefined;
  /** The cap in force (`too_large`). */
  limit?: number | undefined;
  /** The response Content-Type (`unsupported_format`). */
  contentType?: string | null | undefined;
  /** The job's id when the bad frame's first bytes show it (`too_large`, `malformed`). */
  jobId?: string | undefined;
  cause?: unknown;
}

/**
 * A take stream could not be decoded: a frame over the size cap, a malformed or truncated frame,
 * or a Content-Type that is not a known stream framing. The stream that raised it is errored; the
 * Worker decides whether to reconnect. (A Worker whose frame sink has `skip` is handed a
 * `too_large` or `malformed` frame's error there instead, and the stream goes on.)
 */
export class ZizqFrameError extends ZizqError {
  override name = "ZizqFrameError";
  readonly reason: FrameErrorReason;
  readonly format: FrameFormat | undefined;
  readonly bytes: number | undefined;
  readonly limit: number | undefined;
  readonly contentType: string | null | undefined;
  /** The job's id when the bad frame's first bytes show it (the server writes `id` first); the Worker kills that job. */
  readonly jobId: string | undefined;

  constructor(reason: FrameErrorReason, message: string, details: FrameErrorDetails = {}) {
    super(message, undefined, details.cause === undefined ? undefined : { cause: details.cause });
    this.reason = reason;
    this.format = details.format;
    this.bytes = details.bytes;
    this.limit = details.limit;
    this.contentType = details.contentType;
    this.jobId = details.jobId;
  }
}
