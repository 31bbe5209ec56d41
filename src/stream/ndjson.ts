import { ZizqFrameError } from "../errors/frame-error.ts";
import { LineTransformer } from "./lines.ts";
import { jsonFrameId } from "./frame-id.ts";
import { describeCause, excerpt, type FrameDecoderOptions, type FrameSink, frameStream, isFrameObject, skipOrThrow } from "./options.ts";

/**
 * The NDJSON take-stream framing: one compact JSON object per `\n`-terminated line; a lone `\n` is a
 * heartbeat and is skipped (so are blank and whitespace-only lines, and a `\r` before the `\n`).
 *
 * At the end of the stream a final line without its `\n` is still decoded (the server always ends
 * its lines; this is lenient); if it does not parse, the error's reason is `truncated`.
 *
 * With a sink that has `skip`, a line that is not a JSON object, or is over the cap, is handed to
 * it and decoding goes on at the next line (see `LineTransformer`); a `truncated` one still throws.
 */
export class NdjsonFrameTransformer extends LineTransformer {
  protected readonly format = "ndjson";

  protected line(line: string, sink: FrameSink): void {
    const length = line.length;
    if (length === 0) return;
    if (line.charCodeAt(length - 1) === 13) {
      if (length === 1) return;
      line = line.slice(0, -1);
    }
    let frame: unknown;
    try {
      frame = JSON.parse(line);
    } catch (cause) {
      if (line.trim() === "") return;
      this.bad(line, `invalid JSON (${describeCause(cause)})`, sink, cause);
      return;
    }
    if (isFrameObject(frame)) sink.enqueue(frame);
    else this.bad(line, "a frame must be a JSON object", sink);
  }

  /** Throws for a line that is not a job frame, or hands it to `sink.skip` (not a final line cut short). */
  private bad(line: string, problem: string, sink: FrameSink, cause?: unknown): void {
    const reason = this.ending ? "truncated" : "malformed";
    const where = this.ending ? "the final line, without its newline," : "a line";
    const error = new ZizqFrameError(
      reason,
      `ndjson take stream: ${where} is not a job frame: ${problem}; ${line.length} chars: ${excerpt(line)}`,
      { format: "ndjson", bytes: line.length, jobId: jsonFrameId(line), cause },
    );
    if (this.ending) throw error;
    skipOrThrow(sink, error);
  }
}

/**
 * Decodes the bytes of an NDJSON `GET /jobs/take` response into frames: plain objects exactly as
 * the server sent them (snake_case). Errors the stream with a `ZizqFrameError` on a malformed line
 * or one over `maxFrameBytes`.
 */
export function ndjsonDecoder(options?: FrameDecoderOptions): TransformStream<Uint8Array, unknown> {
  return frameStream(new NdjsonFrameTransformer(options));
}
