import { decodeJsonFrame, type JsonFraming } from "./json-frame.ts";
import { LineTransformer } from "./lines.ts";
import type { FrameSink } from "./options.ts";

const NDJSON: JsonFraming = { format: "ndjson", unit: "a line", finalUnit: "the final line, without its newline," };

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
    decodeJsonFrame(line, sink, NDJSON, this.ending, true);
  }
}
