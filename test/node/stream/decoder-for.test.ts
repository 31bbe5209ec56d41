import { describe, expect, it } from "vitest";
import { ZizqFrameError } from "../../../src/errors/frame-error.ts";
import {
  decoderFor,
  MsgpackFrameTransformer,
  NdjsonFrameTransformer,
  SseFrameTransformer,
  transformerFor,
} from "../../../src/stream/index.ts";
import { decodeAll, msgpackBytes, ndjsonBytes, sseBytes } from "../../support/stream-frames.ts";

describe("decoderFor", () => {
  it.for([
    ["application/x-ndjson", NdjsonFrameTransformer],
    ["application/x-ndjson; charset=utf-8", NdjsonFrameTransformer],
    ["Application/X-NDJSON", NdjsonFrameTransformer],
    ["application/vnd.zizq.msgpack-stream", MsgpackFrameTransformer],
    [" application/vnd.zizq.msgpack-stream ;x=1", MsgpackFrameTransformer],
    ["text/event-stream", SseFrameTransformer],
    ["text/event-stream;charset=utf-8", SseFrameTransformer],
  ] as const)("picks the decoder for %s", ([contentType, kind]) => {
    expect(transformerFor(contentType)).toBeInstanceOf(kind);
    expect(decoderFor(contentType)).toBeInstanceOf(TransformStream);
  });

  it.for([null, "", "application/json", "application/msgpack", "text/plain", "application/x-ndjsonx"])(
    "throws unsupported_format for %j",
    (contentType) => {
      let error: unknown;
      try {
        decoderFor(contentType);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ZizqFrameError);
      const e = error as ZizqFrameError;
      expect(e.reason).toBe("unsupported_format");
      expect(e.contentType).toBe(contentType);
      expect(e.message).toMatch(contentType === null ? /no Content-Type/ : /unsupported Content-Type/);
    },
  );

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
