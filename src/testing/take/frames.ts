import { Encoder } from "@msgpack/msgpack";
import type { StreamFormat } from "../http/negotiate.ts";
import { jobView, type StoredJob } from "../store/job.ts";

const text = new TextEncoder();
const msgpack = new Encoder({ ignoreUndefined: true });

/** What each framing sends after a quiet heartbeat interval. */
export const HEARTBEAT: Record<StreamFormat, Uint8Array> = {
  ndjson: text.encode("\n"),
  msgpack: new Uint8Array(4),
  sse: text.encode(": heartbeat\n\n"),
};

/** Frames a batch of taken jobs into one chunk. */
export function encodeFrames(jobs: readonly StoredJob[], format: StreamFormat): Uint8Array {
  if (format === "msgpack") {
    const frames = jobs.map((job) => msgpack.encode(jobView(job, { payload: true, msgpack: true })));
    const out = new Uint8Array(frames.reduce((sum, frame) => sum + 4 + frame.length, 0));
    const view = new DataView(out.buffer);
    let offset = 0;
    for (const frame of frames) {
      view.setUint32(offset, frame.length);
      out.set(frame, offset + 4);
      offset += 4 + frame.length;
    }
    return out;
  }
  let body = "";
  for (const job of jobs) {
    const json = JSON.stringify(jobView(job, { payload: true }));
    body += format === "sse" ? `data: ${json}\n\n` : `${json}\n`;
  }
  return text.encode(body);
}
