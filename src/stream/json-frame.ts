import { ZizqFrameError } from "../errors/frame-error.ts";
import { isObject } from "../utils/arguments.ts";
import { jsonFrameId } from "./frame-id.ts";
import { describeCause, excerpt, type FrameSink, skipOrThrow } from "./options.ts";

/** How a JSON-framed stream names its frames in errors. */
export interface JsonFraming {
  format: "ndjson" | "sse";
  /** A frame mid-stream: "a line", "an event". */
  unit: string;
  /** The last frame, when the stream ended without its terminator. */
  finalUnit: string;
}

/**
 * Parses one frame's JSON text and hands the object to `sink`. A frame that is not a JSON object
 * is skipped or thrown, as the sink allows; at the end of the stream (`ending`) it was cut short,
 * and is always thrown as `truncated`. `blankIsHeartbeat`: whitespace-only text is skipped (checked
 * only once it failed to parse, so valid frames pay nothing for it).
 */
export function decodeJsonFrame(text: string, sink: FrameSink, framing: JsonFraming, ending: boolean, blankIsHeartbeat = false): void {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch (cause) {
    if (blankIsHeartbeat && text.trim() === "") return;
    return bad(text, `invalid JSON (${describeCause(cause)})`, sink, framing, ending, cause);
  }
  if (isObject(frame)) sink.enqueue(frame);
  else bad(text, "a frame must be a JSON object", sink, framing, ending);
}

function bad(text: string, problem: string, sink: FrameSink, framing: JsonFraming, ending: boolean, cause?: unknown): void {
  const where = ending ? framing.finalUnit : framing.unit;
  const error = new ZizqFrameError(
    ending ? "truncated" : "malformed",
    `${framing.format} take stream: ${where} is not a job frame: ${problem}; ${text.length} chars: ${excerpt(text)}`,
    { format: framing.format, bytes: text.length, jobId: jsonFrameId(text), cause },
  );
  if (ending) throw error;
  skipOrThrow(sink, error);
}
