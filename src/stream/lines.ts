import type { FrameFormat } from "../errors/frame-error.ts";
import { ZizqFrameError } from "../errors/frame-error.ts";
import { jsonFrameId } from "./frame-id.ts";
import { type FrameDecoderOptions, type FrameSink, maxFrameBytes, tooLarge, utf8Length } from "./options.ts";

const LF = 0x0a;

/** How much of a line too large to keep (UTF-16 units) is searched for its job id. */
const HEAD = 128;

/** A decoder as at the start of the stream (also after a reset: the bytes after a skipped line are a fresh start). */
const utf8Decoder = () => new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Splits a UTF-8 byte stream into `\n`-terminated lines and hands each to `line()`.
 *
 * Each chunk is decoded to a string once (`TextDecoder` with `stream: true`, so a code point split
 * across chunks is joined) and searched with `indexOf`; only the unterminated tail of a chunk is
 * carried over. The size cap is checked in bytes: the carried tail's exact byte count is known from
 * the chunk (`0x0A` never occurs inside a multi-byte sequence, so the k-th `\n` of the string is
 * the k-th `0x0A` byte of the chunk), so a line that never ends fails as soon as it passes the cap.
 * A line complete within one chunk is sized in UTF-16 units (at most 3 bytes each) and counted
 * exactly only when that bound could exceed the cap.
 *
 * With a sink that has `skip`, a bad line is handed to it and the stream goes on from the next
 * `\n`: a line over the cap stops being buffered and its bytes are dropped, unread and undecoded,
 * up to its `\n` (however many chunks later). Invalid UTF-8 is skipped the same way (the chunk is
 * decoded again one line at a time, so only the lines holding bad bytes are lost), except when the
 * decoder was holding the start of a character from an earlier chunk: those bytes cannot be had
 * again, so that (rare) case still throws. The checks for this run only on the error paths. The
 * stream ending inside a skipped line, before its `\n`, is `truncated` (thrown, as always).
 */
export abstract class LineTransformer {
  protected abstract readonly format: FrameFormat;
  protected readonly max: number;
  /** Lines of at most this many UTF-16 units cannot exceed `max` bytes. */
  private readonly maxUnits: number;
  private text = utf8Decoder();
  private carry = "";
  /** Bytes received since the last `\n`: the carried text plus any partial code point held by the decoder. */
  private carryBytes = 0;
  /** True after a line was skipped before its `\n` came: bytes are dropped up to the next `\n`. */
  private discarding = false;
  /** True while `flush()` runs: a bad final line means the stream was cut short. */
  protected ending = false;

  constructor(options?: FrameDecoderOptions) {
    this.max = maxFrameBytes(options);
    this.maxUnits = Math.floor(this.max / 3);
  }

  /** Handles one line, without its `\n` (a trailing `\r` is still there); `""` for an empty line. */
  protected abstract line(line: string, sink: FrameSink): void;

  /** Called once at the end of the stream, after the last line. */
  protected end(_sink: FrameSink): void {}

  /** Called when a line is skipped (handed to `sink.skip`) instead of being passed to `line()`. */
  protected skipped(): void {}

  /** The job id at the start of a bad line (`head` may be cut short). */
  protected frameId(head: string): string | undefined {
    return jsonFrameId(head);
  }

  transform(chunk: Uint8Array, sink: FrameSink): void {
    if (this.discarding) {
      const lf = chunk.indexOf(LF);
      if (lf === -1) return;
      this.discarding = false;
      chunk = chunk.subarray(lf + 1);
    }
    let str: string;
    try {
      str = this.text.decode(chunk, { stream: true });
    } catch (cause) {
      this.invalidChunk(chunk, sink, cause);
      return;
    }
    this.lines(chunk, str, sink);
  }

  flush(sink: FrameSink): void {
    this.ending = true;
    if (this.discarding) {
      // A line cut short that cannot be a frame, as when a final line does not parse.
      this.discarding = false;
      throw new ZizqFrameError("truncated", `${this.format} take stream: ended inside a skipped line, before its newline`, {
        format: this.format,
      });
    }
    let rest: string;
    try {
      rest = this.text.decode();
    } catch (cause) {
      throw this.invalidUtf8(cause, "truncated");
    }
    const last = this.carry + rest;
    this.carry = "";
    this.carryBytes = 0;
    if (last !== "") this.line(last, sink);
    this.end(sink);
  }

  /** Splits `chunk`, decoded as `str`, into lines. */
  private lines(chunk: Uint8Array, str: string, sink: FrameSink): void {
    let nl = str.indexOf("\n");
    if (nl === -1) {
      const bytes = this.carryBytes + chunk.byteLength;
      if (bytes > this.max) {
        this.skipLine(sink, tooLarge(this.format, bytes, this.max, "an unterminated line", this.frameId(this.head(str, 0, str.length))), true);
        return;
      }
      this.carryBytes = bytes;
      this.carry = this.carry === "" ? str : this.carry + str;
      return;
    }
    let start = 0;
    if (this.carryBytes !== 0) {
      const bytes = this.carryBytes + chunk.indexOf(LF);
      if (bytes > this.max) {
        this.skipLine(sink, tooLarge(this.format, bytes, this.max, "a line", this.frameId(this.head(str, 0, nl))), false);
      } else {
        const line = this.carry + str.slice(0, nl);
        this.carry = "";
        this.carryBytes = 0;
        this.line(line, sink);
      }
      start = nl + 1;
      nl = str.indexOf("\n", start);
    }
    while (nl !== -1) {
      if (nl - start <= this.maxUnits || this.fits(str, start, nl, sink)) this.line(nl === start ? "" : str.slice(start, nl), sink);
      start = nl + 1;
      nl = str.indexOf("\n", start);
    }
    const tail = chunk.byteLength - chunk.lastIndexOf(LF) - 1;
    if (tail !== 0) {
      if (tail > this.max) {
        this.skipLine(sink, tooLarge(this.format, tail, this.max, "an unterminated line", this.frameId(this.head(str, start, str.length))), true);
        return;
      }
      this.carryBytes = tail;
      if (start < str.length) this.carry = str.slice(start);
    }
  }

  /** Whether the line `str[start, end)` is within the cap; if not, throws, or skips it and returns false. */
  private fits(str: string, start: number, end: number, sink: FrameSink): boolean {
    const bytes = utf8Length(str, start, end);
    if (bytes <= this.max) return true;
    this.skipLine(sink, tooLarge(this.format, bytes, this.max, "a line", this.frameId(this.head(str, start, end))), false);
    return false;
  }

  /** The start of the line being read, which goes on at `str[start, end)`: the carried text, then that. */
  private head(str: string, start: number, end: number): string {
    const carry = this.carry;
    return carry.length >= HEAD ? carry : carry + str.slice(start, Math.min(end, start + HEAD - carry.length));
  }

  /**
   * Throws `error` for the line being read, or, when the sink can skip, drops what is carried of
   * it and hands `error` to `sink.skip`; `unterminated` when its `\n` has not come yet, so the
   * bytes up to it are dropped as they come (the decoder is reset: they are never decoded).
   */
  private skipLine(sink: FrameSink, error: ZizqFrameError, unterminated: boolean): void {
    if (sink.skip === undefined) throw error;
    this.carry = "";
    this.carryBytes = 0;
    if (unterminated) {
      this.discarding = true;
      this.text = utf8Decoder();
    }
    this.skipped();
    sink.skip(error);
  }

  /**
   * `chunk` is not valid UTF-8. Throws, or, when the sink can skip and the decoder held no partial
   * character from an earlier chunk, decodes the chunk again one line at a time with a fresh
   * decoder, skipping each line that holds bad bytes.
   */
  private invalidChunk(chunk: Uint8Array, sink: FrameSink, cause: unknown): void {
    if (sink.skip === undefined || this.carryBytes !== utf8Length(this.carry, 0, this.carry.length)) {
      throw this.invalidUtf8(cause, "malformed");
    }
    const length = chunk.byteLength;
    let pos = 0;
    this.text = utf8Decoder(); // its state after an error is unspecified
    while (pos < length) {
      const lf = chunk.indexOf(LF, pos);
      const end = lf === -1 ? length : lf + 1;
      const part = chunk.subarray(pos, end);
      pos = end;
      let str: string;
      try {
        str = this.text.decode(part, { stream: true });
      } catch (cause) {
        const carry = this.carry; // then the line's first bytes here, bad ones replaced
        const head = carry.length >= HEAD ? carry : carry + new TextDecoder().decode(part.subarray(0, HEAD));
        const error = this.invalidUtf8(cause, "malformed", this.frameId(head));
        this.text = utf8Decoder();
        this.skipLine(sink, error, lf === -1);
        continue;
      }
      this.lines(part, str, sink);
    }
  }

  private invalidUtf8(cause: unknown, reason: "malformed" | "truncated", jobId?: string): ZizqFrameError {
    const what = reason === "truncated" ? "the stream ended inside a UTF-8 sequence" : "invalid UTF-8";
    return new ZizqFrameError(reason, `${this.format} take stream: ${what}`, { format: this.format, jobId, cause });
  }
}
