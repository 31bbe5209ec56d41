import { describe, expect, it } from "vitest";
import { ZizqFrameError } from "../../../src/errors/frame-error.ts";
import { loadMsgpackFrames, takeTransformer } from "../../../src/stream/frames.ts";
import { MsgpackFrames } from "../../../src/stream/msgpack-frames.ts";
import { NdjsonFrameTransformer } from "../../../src/stream/ndjson.ts";
import { frameStream } from "../../../src/stream/options.ts";
import { SseFrameTransformer } from "../../../src/stream/sse.ts";
import { bytewise, decodeAll, msgpackBytes, ndjsonBytes, run, sseBytes } from "../../support/stream-frames.ts";
import { decoderFor, transformerFor } from "../../support/take-decoders.ts";

function thrown(f: () => unknown): ZizqFrameError {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ZizqFrameError);
  return error as ZizqFrameError;
}

describe("takeTransformer", () => {
  it.for([
    ["application/x-ndjson", NdjsonFrameTransformer],
    ["application/x-ndjson; charset=utf-8", NdjsonFrameTransformer],
    ["Application/X-NDJSON", NdjsonFrameTransformer],
    ["application/vnd.zizq.msgpack-stream", MsgpackFrames],
    [" application/vnd.zizq.msgpack-stream ;x=1", MsgpackFrames],
    ["text/event-stream", SseFrameTransformer],
    ["text/event-stream;charset=utf-8", SseFrameTransformer],
  ] as const)("picks the decoder for %s", ([contentType, kind]) => {
    expect(transformerFor(contentType)).toBeInstanceOf(kind);
    expect(decoderFor(contentType)).toBeInstanceOf(TransformStream);
  });

  it.for([null, "", "application/json", "application/msgpack", "text/plain", "application/x-ndjsonx"])(
    "throws unsupported_format for %j",
    (contentType) => {
      const e = thrown(() => decoderFor(contentType));
      expect(e.reason).toBe("unsupported_format");
      expect(e.contentType).toBe(contentType);
      expect(e.message).toMatch(contentType === null ? /no Content-Type/ : /unsupported Content-Type/);
    },
  );

  it.for(["application/vnd.zizq.msgpack-stream", " Application/Vnd.Zizq.Msgpack-Stream; x=1"])(
    "a JSON take (no MessagePack decoder) answered in MessagePack (%j) throws unsupported_format",
    (contentType) => {
      const e = thrown(() => takeTransformer(contentType, undefined, undefined));
      expect(e.reason).toBe("unsupported_format");
      expect(e.contentType).toBe(contentType);
      expect(e.message).toBe(
        `take stream: a JSON take (Accept: application/x-ndjson) was answered in MessagePack (${JSON.stringify(contentType)})`,
      );
    },
  );

  it("a JSON take still decodes NDJSON and SSE without a MessagePack decoder", async () => {
    const items = [{ heartbeat: true as const }, { frame: { id: "a", payload: { n: 1 } } }];
    for (const [type, encode] of [
      ["application/x-ndjson", ndjsonBytes],
      ["text/event-stream", sseBytes],
    ] as const) {
      expect(await decodeAll(frameStream(takeTransformer(type, undefined, undefined)), [encode(items)])).toEqual([{ id: "a", payload: { n: 1 } }]);
    }
  });

  it("passes the options to the decoder it picks", async () => {
    const items = [{ frame: { id: "a", payload: { s: "x".repeat(100) } } }];
    for (const [type, encode] of [
      ["application/x-ndjson", ndjsonBytes],
      ["application/vnd.zizq.msgpack-stream", msgpackBytes],
      ["text/event-stream", sseBytes],
    ] as const) {
      await expect(decodeAll(decoderFor(type, { maxFrameBytes: 50 }), [encode(items)])).rejects.toMatchObject({ reason: "too_large" });
      expect(await decodeAll(decoderFor(type), [encode(items)])).toHaveLength(1);
    }
  });
});

describe("loadMsgpackFrames", () => {
  const items = [
    { heartbeat: true as const },
    { frame: { id: "a", type: "t", payload: { s: "😀 é", list: [1, null, true] } } },
    { heartbeat: true as const },
    { frame: { id: "b", type: "t", payload: { s: "x".repeat(200) } } },
  ];
  const frames = items.flatMap((item) => ("frame" in item ? [item.frame] : []));

  it("loads once: every call answers the same promise", async () => {
    const first = loadMsgpackFrames();
    expect(loadMsgpackFrames()).toBe(first);
    expect(await loadMsgpackFrames()).toBe(await first);
  });

  it("makes MessagePack framings that decode in any chunking, each with its own state", async () => {
    const make = await loadMsgpackFrames();
    const bytes = msgpackBytes(items);
    expect(make()).toBeInstanceOf(MsgpackFrames);
    expect(await decodeAll(frameStream(make()), [bytes])).toEqual(frames);
    // Two at once, fed byte by byte in turn: neither sees the other's partial frame.
    const one = make();
    const two = make();
    const got: [unknown[], unknown[]] = [[], []];
    for (const chunk of bytewise(bytes)) {
      one.transform(chunk, { enqueue: (frame) => got[0].push(frame) });
      two.transform(chunk, { enqueue: (frame) => got[1].push(frame) });
    }
    expect(got).toEqual([frames, frames]);
  });

  it("passes the options to the framing it makes, and is the maker a MessagePack take hands takeTransformer", async () => {
    const make = await loadMsgpackFrames();
    const capped = await run(frameStream(make({ maxFrameBytes: 100 })), [msgpackBytes(items)]);
    expect(capped.frames).toEqual([frames[0]]);
    expect(capped.error).toMatchObject({ reason: "too_large" });
    const transformer = takeTransformer("application/vnd.zizq.msgpack-stream", undefined, make);
    expect(transformer).toBeInstanceOf(MsgpackFrames);
    expect(await decodeAll(frameStream(transformer), [msgpackBytes(items)])).toEqual(frames);
  });
});
