import { LineTransformer } from "./lines.ts";
import { jsonFrameId } from "./frame-id.ts";
import { decodeJsonFrame, type JsonFraming } from "./json-frame.ts";
import { type FrameSink, tooLarge } from "./options.ts";

const SSE: JsonFraming = { format: "sse", unit: "an event", finalUnit: "the final event, cut short," };

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
 *
 * With a sink that has `skip`, an event whose data is not a JSON object, or with a line or joined
 * data over the cap, is handed to it once and the rest of that event is dropped up to its blank
 * line; a `truncated` one still throws.
 */
export class SseFrameTransformer extends LineTransformer {
  protected readonly format = "sse";
  private data = "";
  private hasData = false;
  /** True from a skipped line or event to the blank line that ends the event: its data is dropped. */
  private dropping = false;

  protected line(line: string, sink: FrameSink): void {
    let length = line.length;
    if (length !== 0 && line.charCodeAt(length - 1) === 13) {
      line = line.slice(0, -1);
      length--;
    }
    if (length === 0) {
      if (this.hasData) this.dispatch(sink);
      else this.dropping = false;
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
      if (this.data.length > this.max) {
        const error = tooLarge("sse", this.data.length, this.max, "an event's data", jsonFrameId(this.data));
        if (sink.skip === undefined) throw error;
        this.skipped();
        sink.skip(error);
      }
    } else if (!this.dropping) {
      this.data = value;
      this.hasData = true;
    }
  }

  protected override skipped(): void {
    this.data = "";
    this.hasData = false;
    this.dropping = true;
  }

  /** The id at the start of the event's data: the data gathered so far, or else the bad line's. */
  protected override frameId(head: string): string | undefined {
    if (this.hasData) return jsonFrameId(this.data);
    return head.startsWith("data:") ? jsonFrameId(head, 5) : undefined;
  }

  protected override end(sink: FrameSink): void {
    if (this.hasData) this.dispatch(sink);
  }

  private dispatch(sink: FrameSink): void {
    const data = this.data;
    this.data = "";
    this.hasData = false;
    decodeJsonFrame(data, sink, SSE, this.ending);
  }
}
