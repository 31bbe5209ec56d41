import { ZizqFrameError } from "../errors/frame-error.ts";
import { LineTransformer } from "./lines.ts";
import { describeCause, excerpt, type FrameDecoderOptions, type FrameSink, frameStream, isFrameObject, tooLarge } from "./options.ts";

/**
 * The SSE take-stream framing: each job is `data: <json>\n\n`; a heartbeat is the comment
 * `: heartbeat\n\n`. Parsed as the EventSource spec says for what Zizq sends: comment lines are
 * skipped, several `data:` lines of one event are joined with `\n`, other fields (`event`, `id`,
 * `retry`) are ignored, a blank line ends the event, and an event without data is skipped. Lines
 * end in `\n` or `\r\n` (a lone `\r` is not a line end here; Zizq never sends one).
 *
 * Unlike EventSource, an event whose blank line never came before the stream ended is still
 * decoded (lenient, as for NDJSON); if it does not parse, the reason is `truncated`. The size cap
 * applies to each line in bytes and to an event's joined data in UTF-16 units.
 */
export class SseFrameTransformer extends LineTransformer {
  protected readonly format = "sse";
  private data = "";
  private hasData = false;

  protected line(line: string, sink: FrameSink): void {
    let length = line.length;
    if (length !== 0 && line.charCodeAt(length - 1) === 13) {
      line = line.slice(0, -1);
      length--;
    }
    if (length === 0) {
      if (this.hasData) this.dispatch(sink);
      return;
    }
    let value: string;
    if (line.startsWith("data: ")) value = line.slice(6);
    else if (line.charCodeAt(0) === 58) return; // ":" starts a comment (heartbeats)
    else {
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      if (field !== "data") return;
      value = colon === -1 ? "" : line.slice(line.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1);
    }
    if (this.hasData) {
      this.data = `${this.data}\n${value}`;
      if (this.data.length > this.max) throw tooLarge("sse", this.data.length, this.max, "an event's data");
    } else {
      this.data = value;
      this.hasData = true;
    }
  }

  protected override end(sink: FrameSink): void {
    if (this.hasData) this.dispatch(sink);
  }

  private dispatch(sink: FrameSink): void {
    const data = this.data;
    this.data = "";
    this.hasData = false;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch (cause) {
      throw this.bad(data, `invalid JSON (${describeCause(cause)})`, cause);
    }
    if (!isFrameObject(frame)) throw this.bad(data, "a frame must be a JSON object");
    sink.enqueue(frame);
  }

  private bad(data: string, problem: string, cause?: unknown): ZizqFrameError {
    const reason = this.ending ? "truncated" : "malformed";
    const where = this.ending ? "the final event, cut short," : "an event";
    return new ZizqFrameError(
      reason,
      `sse take stream: ${where} is not a job frame: ${problem}; ${data.length} chars: ${excerpt(data)}`,
      { format: "sse", bytes: data.length, cause },
    );
  }
}

/** Decodes the bytes of a `text/event-stream` `GET /jobs/take` response into frames (see `SseFrameTransformer`). */
export function sseDecoder(options?: FrameDecoderOptions): TransformStream<Uint8Array, unknown> {
  return frameStream(new SseFrameTransformer(options));
}
