import type { FrameFormat } from "../errors/frame-error.ts";
import { ZizqFrameError } from "../errors/frame-error.ts";
import { type FrameDecoderOptions, type FrameSink, maxFrameBytes, tooLarge, utf8Length } from "./options.ts";

const LF = 0x0a;

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
 */
export abstract class LineTransformer {
  protected abstract readonly format: FrameFormat;
  protected readonly max: number;
  /** Lines of at most this many UTF-16 units cannot exceed `max` bytes. */
  private readonly maxUnits: number;
  private readonly text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  private carry = "";
  /** Bytes received since the last `\n`: the carried text plus any partial code point held by the decoder. */
  private carryBytes = 0;
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

  transform(chunk: Uint8Array, sink: FrameSink): void {
    let str: string;
    try {
      str = this.text.decode(chunk, { stream: true });
    } catch (cause) {
      throw this.invalidUtf8(cause, "malformed");
    }
    let nl = str.indexOf("\n");
    if (nl === -1) {
      const bytes = this.carryBytes + chunk.byteLength;
      if (bytes > this.max) throw tooLarge(this.format, bytes, this.max, "an unterminated line");
      this.carryBytes = bytes;
      this.carry = this.carry === "" ? str : this.carry + str;
      return;
    }
    let start = 0;
    if (this.carryBytes !== 0) {
      const bytes = this.carryBytes + chunk.indexOf(LF);
      if (bytes > this.max) throw tooLarge(this.format, bytes, this.max, "a line");
      const line = this.carry + str.slice(0, nl);
      this.carry = "";
      this.carryBytes = 0;
      this.line(line, sink);
      start = nl + 1;
      nl = str.indexOf("\n", start);
    }
    while (nl !== -1) {
      if (nl - start > this.maxUnits) this.checkLine(str, start, nl);
      this.line(nl === start ? "" : str.slice(start, nl), sink);
      start = nl + 1;
      nl = str.indexOf("\n", start);
    }
    const tail = chunk.byteLength - chunk.lastIndexOf(LF) - 1;
    if (tail !== 0) {
      if (tail > this.max) throw tooLarge(this.format, tail, this.max, "an unterminated line");
      this.carryBytes = tail;
      if (start < str.length) this.carry = str.slice(start);
    }
  }

  flush(sink: FrameSink): void {
    this.ending = true;
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

  private checkLine(str: string, start: number, end: number): void {
    const bytes = utf8Length(str, start, end);
    if (bytes > this.max) throw tooLarge(this.format, bytes, this.max, "a line");
  }

  private invalidUtf8(cause: unknown, reason: "malformed" | "truncated"): ZizqFrameError {
    const what = reason === "truncated" ? "the stream ended inside a UTF-8 sequence" : "invalid UTF-8";
    return new ZizqFrameError(reason, `${this.format} take stream: ${what}`, { format: this.format, cause });
  }
}
