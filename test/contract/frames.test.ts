// The harness's frame readers, fed byte by byte: frames split across chunks must survive.
import { encode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { frameParser, type Frame, type StreamFormat } from "./harness.ts";

function feedBytewise(format: StreamFormat, bytes: Uint8Array): Frame[] {
  const parse = frameParser(format);
  const frames: Frame[] = [];
  for (const byte of bytes) frames.push(...parse(Uint8Array.of(byte)));
  return frames;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const kinds = (frames: Frame[]) => frames.map((f) => (f.kind === "job" ? f.job : "heartbeat"));

describe("harness frame readers", () => {
  it("NDJSON: lines across chunks, empty line = heartbeat", () => {
    const frames = feedBytewise("ndjson", utf8('{"id":"a","p":"é"}\n\n{"id":"b"}\n{"id":'));
    expect(kinds(frames)).toEqual([{ id: "a", p: "é" }, "heartbeat", { id: "b" }]);
  });

  it("SSE: data events and heartbeat comments across chunks", () => {
    const frames = feedBytewise("sse", utf8('data: {"id":"a"}\n\n: heartbeat\n\ndata: {"id":"b"}\n\ndata: {'));
    expect(kinds(frames)).toEqual([{ id: "a" }, "heartbeat", { id: "b" }]);
  });

  it("MessagePack: length prefix across chunks, length 0 = heartbeat", () => {
    const body = encode({ id: "a" });
    const bytes = new Uint8Array([0, 0, 0, body.length, ...body, 0, 0, 0, 0, 0, 0, 0, body.length, ...body.subarray(0, 2)]);
    const frames = feedBytewise("msgpack", bytes);
    expect(kinds(frames)).toEqual([{ id: "a" }, "heartbeat"]);
    expect(frames[0]?.raw.length).toBe(4 + body.length);
  });
});
