import { encode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { ZizqFrameError } from "../../../src/errors/frame-error.ts";
import { msgpackDecoder, msgpackFrames } from "../../support/take-decoders.ts";
import { bytewise, concat, decodeAll, prefixed, run, split } from "../../support/stream-frames.ts";

function frameError(error: unknown): ZizqFrameError {
  expect(error).toBeInstanceOf(ZizqFrameError);
  return error as ZizqFrameError;
}

const a = prefixed(encode({ id: "a", payload: { s: "😀" } }));
const b = prefixed(encode({ id: "b", payload: [1, 2, 3] }));
const heartbeat = new Uint8Array(4);

describe("msgpackDecoder", () => {
  it("decodes several frames in one chunk and skips zero-length heartbeats", async () => {
    const all = concat([heartbeat, a, heartbeat, heartbeat, b, heartbeat]);
    expect(await decodeAll(msgpackDecoder(), [all])).toEqual([
      { id: "a", payload: { s: "😀" } },
      { id: "b", payload: [1, 2, 3] },
    ]);
    expect(await decodeAll(msgpackDecoder(), bytewise(all))).toHaveLength(2);
    expect(await decodeAll(msgpackDecoder(), [heartbeat, heartbeat])).toEqual([]);
  });

  it("gathers a length prefix split across chunks, at every split inside it", async () => {
    const all = concat([a, b]);
    for (let first = a.byteLength + 1; first < a.byteLength + 4; first++) {
      for (let second = first; second <= a.byteLength + 4; second++) {
        expect(await decodeAll(msgpackDecoder(), split(all, [first, second]))).toHaveLength(2);
      }
    }
  });

  it("decodes a frame in place when it lies whole in a chunk, and copies a split one once", () => {
    const frames: unknown[] = [];
    const sink = { enqueue: (frame: unknown) => frames.push(frame) };
    const t = msgpackFrames();
    const big = prefixed(encode({ id: "big", payload: { blob: "z".repeat(100_000) } }));
    for (const piece of split(big, [3, 50_000, 50_001, 99_000])) t.transform(piece, sink);
    t.flush();
    expect(frames).toEqual([{ id: "big", payload: { blob: "z".repeat(100_000) } }]);
  });

  it("refuses a declared length over the cap from the prefix alone, before buffering the body", () => {
    const t = msgpackFrames({ maxFrameBytes: 1024 });
    const sink = { enqueue() {} };
    t.transform(concat([a, Uint8Array.of(0x7f, 0xff)]), sink);
    let error: unknown;
    try {
      t.transform(Uint8Array.of(0xff, 0xff, 0x01), sink); // completes a prefix declaring 2 GiB
    } catch (e) {
      error = e;
    }
    const e = frameError(error);
    expect(e.reason).toBe("too_large");
    expect(e.bytes).toBe(0x7fffffff);
    expect(e.limit).toBe(1024);
    expect(e.message).toContain("2147483647");
  });

  it("accepts a frame of exactly the cap and refuses one byte more", async () => {
    const body = encode({ s: "q".repeat(100) });
    expect(await decodeAll(msgpackDecoder({ maxFrameBytes: body.byteLength }), [prefixed(body)])).toHaveLength(1);
    const { error } = await run(msgpackDecoder({ maxFrameBytes: body.byteLength - 1 }), [prefixed(body).subarray(0, 4)]);
    expect(frameError(error).reason).toBe("too_large");
  });

  it("errors on a malformed body, after the frames before it", async () => {
    const { frames, error } = await run(msgpackDecoder(), [concat([a, prefixed(Uint8Array.of(0xc1, 0x00, 0x01)), b])]);
    expect(frames).toHaveLength(1);
    const e = frameError(error);
    expect(e.reason).toBe("malformed");
    expect(e.format).toBe("msgpack");
    expect(e.message).toMatch(/^msgpack take stream: a frame of 3 bytes is not a job frame: invalid MessagePack \(.+\); starts c10001$/);
  });

  it("errors when the declared length does not match the map (extra or missing bytes)", async () => {
    const body = encode({ id: "a" });
    const extra = await run(msgpackDecoder(), [prefixed(concat([body, Uint8Array.of(0xc0)]))]);
    expect(frameError(extra.error).reason).toBe("malformed");
    const short = await run(msgpackDecoder(), [prefixed(body.subarray(0, body.byteLength - 1))]);
    expect(frameError(short.error).reason).toBe("malformed");
  });

  it.for([
    ["an array", [1, 2]],
    ["a string", "job"],
    ["nil", null],
    ["an integer", 7],
  ] as const)("rejects %s: a frame must be a map", async ([, value]) => {
    const { error } = await run(msgpackDecoder(), [prefixed(encode(value))]);
    const e = frameError(error);
    expect(e.reason).toBe("malformed");
    expect(e.message).toContain("a frame must be a MessagePack map");
  });

  it("reports a stream that ends inside a body or a length prefix as truncated", async () => {
    const inBody = await run(msgpackDecoder(), [concat([a, b.subarray(0, 7)])]);
    expect(inBody.frames).toHaveLength(1);
    const e = frameError(inBody.error);
    expect(e.reason).toBe("truncated");
    expect(e.bytes).toBe(b.byteLength - 4);
    expect(e.message).toContain(`3 of its ${b.byteLength - 4} bytes received`);

    const inPrefix = await run(msgpackDecoder(), [concat([a, Uint8Array.of(0, 0)])]);
    expect(inPrefix.frames).toHaveLength(1);
    expect(frameError(inPrefix.error).reason).toBe("truncated");
    expect(frameError(inPrefix.error).message).toContain("2 of 4 bytes");
  });

  it("tolerates empty chunks", async () => {
    const empty = new Uint8Array(0);
    expect(await decodeAll(msgpackDecoder(), [empty, a.subarray(0, 2), empty, a.subarray(2, 9), empty, a.subarray(9), empty])).toHaveLength(1);
  });
});
