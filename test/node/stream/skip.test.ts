/**
 * Decoders driven by hand with a sink that has `skip` (as the Worker drives them): a frame over
 * the cap or a malformed one is handed to `skip`, with the job id its head shows, and decoding
 * goes on; `truncated` still throws. Any chunking is covered in properties.test.ts.
 */
import { encode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { ZizqFrameError } from "../../../src/errors/frame-error.ts";
import { NdjsonFrameTransformer } from "../../../src/stream/ndjson.ts";
import { SseFrameTransformer } from "../../../src/stream/sse.ts";
import { msgpackDecoder, msgpackFrames, ndjsonDecoder } from "../../support/take-decoders.ts";
import { bytewise, concat, driveSkipping, prefixed, run, split } from "../../support/stream-frames.ts";

const text = new TextEncoder();
const bytes = (s: string) => text.encode(s);
const summary = (e: ZizqFrameError) => ({ reason: e.reason, format: e.format, jobId: e.jobId });

function frameError(error: unknown): ZizqFrameError {
  expect(error).toBeInstanceOf(ZizqFrameError);
  return error as ZizqFrameError;
}

describe("ndjson with a sink that skips", () => {
  it("skips a line that goes on for 10x the cap, holding no more than the cap, then goes on", () => {
    const max = 1000;
    const t = new NdjsonFrameTransformer({ maxFrameBytes: max });
    const held = t as unknown as { carry: string; carryBytes: number };
    const frames: unknown[] = [];
    const skipped: ZizqFrameError[] = [];
    const sink = { enqueue: (f: unknown) => frames.push(f), skip: (e: ZizqFrameError) => skipped.push(e) };
    t.transform(bytes('{"id":"a"}\n{"id":"big","s":"'), sink); // 17 bytes of the long line
    const piece = bytes("é".repeat(50)); // 100 bytes, split characters included below
    let fed = 17; // bytes of the long line so far
    let skippedAt = -1;
    for (let i = 0; i < 100; i++) {
      for (const part of split(piece, [i % 7 === 0 ? 33 : 100])) {
        t.transform(part, sink);
        fed += part.byteLength;
        if (skipped.length === 1 && skippedAt === -1) skippedAt = fed;
        expect(held.carryBytes).toBeLessThanOrEqual(max);
        expect(held.carry.length).toBeLessThanOrEqual(max);
      }
    }
    expect(fed).toBeGreaterThan(10 * max);
    expect(skippedAt).toBeGreaterThan(max);
    expect(skippedAt).toBeLessThanOrEqual(max + 100); // as soon as it passed the cap
    expect(held.carryBytes).toBe(0);
    t.transform(bytes('"}\n{"id":"c"}\n'), sink);
    t.flush(sink);
    expect(frames).toEqual([{ id: "a" }, { id: "c" }]);
    expect(skipped.map(summary)).toEqual([{ reason: "too_large", format: "ndjson", jobId: "big" }]);
    expect(skipped[0]?.bytes).toBe(skippedAt);
    expect(skipped[0]?.limit).toBe(max);
  });

  it("skips lines over the cap wherever they lie: within a chunk, as its tail, or across chunks", () => {
    const big = `{"id":"big","s":"${"😀".repeat(40)}"}`; // 179 bytes, 99 UTF-16 units
    const input = bytes(`{"id":"a"}\n${big}\n{"id":"b"}\n${big}\n\n{"id":"c"}\n`);
    for (const chunks of [[input], split(input, [30]), split(input, [11, 100, 200, 250]), bytewise(input)]) {
      const { frames, skipped, error } = driveSkipping(new NdjsonFrameTransformer({ maxFrameBytes: 150 }), chunks);
      expect(error).toBeUndefined();
      expect(frames).toEqual([{ id: "a" }, { id: "b" }, { id: "c" }]);
      expect(skipped.map(summary)).toEqual([
        { reason: "too_large", format: "ndjson", jobId: "big" },
        { reason: "too_large", format: "ndjson", jobId: "big" },
      ]);
    }
  });

  it("skips lines that are not JSON objects, naming the job when the line starts with its id", () => {
    const input = bytes('{"id":"a"}\n{"id":"b","x":nope}\n[1]\n42\n{ "id" : "c", "y": \n{"id":"d"}\n');
    const { frames, skipped, error } = driveSkipping(new NdjsonFrameTransformer(), split(input, [15, 40]));
    expect(error).toBeUndefined();
    expect(frames).toEqual([{ id: "a" }, { id: "d" }]);
    expect(skipped.map(summary)).toEqual([
      { reason: "malformed", format: "ndjson", jobId: "b" },
      { reason: "malformed", format: "ndjson", jobId: undefined },
      { reason: "malformed", format: "ndjson", jobId: undefined },
      { reason: "malformed", format: "ndjson", jobId: "c" },
    ]);
    expect(skipped[0]?.message).toContain("invalid JSON");
  });

  it("skips lines holding invalid UTF-8, at every cut point, however many are in a chunk", () => {
    const input = concat([
      bytes('{"id":"a"}\n{"id":"b","s":"'),
      Uint8Array.of(0xff),
      bytes('"}\n{"id":"c"}\n'),
      Uint8Array.of(0xc0, 0x80, 0x0a),
      bytes('{"id":"d"}\n{"id":"e","s":"'),
      Uint8Array.of(0xfe),
      bytes('xxxxxxxxxxxxx"}\n{"id":"f"}\n'),
    ]);
    const want = [{ id: "a" }, { id: "c" }, { id: "d" }, { id: "f" }];
    const wantSkipped = [
      { reason: "malformed", format: "ndjson", jobId: "b" },
      { reason: "malformed", format: "ndjson", jobId: undefined },
      { reason: "malformed", format: "ndjson", jobId: "e" },
    ];
    for (let at = 0; at <= input.byteLength; at++) {
      const { frames, skipped, error } = driveSkipping(new NdjsonFrameTransformer(), split(input, [at]));
      expect(error, `cut at ${at}`).toBeUndefined();
      expect(frames, `cut at ${at}`).toEqual(want);
      expect(skipped.map(summary), `cut at ${at}`).toEqual(wantSkipped);
    }
    const { frames, skipped } = driveSkipping(new NdjsonFrameTransformer(), bytewise(input));
    expect(frames).toEqual(want);
    expect(skipped.map(summary)).toEqual(wantSkipped);
  });

  it("still throws for invalid UTF-8 met while a character from an earlier chunk was pending (its bytes are gone)", () => {
    const chunks = [bytes('{"id":"a","s":"é').subarray(0, 16), concat([bytes('é"}\n{"id":"b","s":"').subarray(1), Uint8Array.of(0xff, 0x0a)])];
    const { frames, skipped, error } = driveSkipping(new NdjsonFrameTransformer(), chunks);
    expect(frames).toEqual([]);
    expect(skipped).toEqual([]);
    expect(frameError(error).reason).toBe("malformed");
  });

  it("still throws truncated, also when the stream ends inside a line it was skipping", () => {
    const cut = driveSkipping(new NdjsonFrameTransformer(), [bytes('{"id":"a"}\n{"id":"b","pay')]);
    expect(cut.frames).toEqual([{ id: "a" }]);
    expect(frameError(cut.error).reason).toBe("truncated");
    const inChar = driveSkipping(new NdjsonFrameTransformer(), [bytes('{"id":"a"}\n'), bytes("😀").subarray(0, 2)]);
    expect(frameError(inChar.error).reason).toBe("truncated");
    const inSkipped = driveSkipping(new NdjsonFrameTransformer({ maxFrameBytes: 20 }), [bytes(`{"id":"a"}\n{"id":"b","s":"${"x".repeat(50)}`)]);
    expect(inSkipped.frames).toEqual([{ id: "a" }]);
    expect(inSkipped.skipped.map(summary)).toEqual([{ reason: "too_large", format: "ndjson", jobId: "b" }]);
    const e = frameError(inSkipped.error);
    expect(e.reason).toBe("truncated");
    expect(e.message).toBe("ndjson take stream: ended inside a skipped line, before its newline");
    const afterNewline = driveSkipping(new NdjsonFrameTransformer({ maxFrameBytes: 20 }), [bytes(`{"id":"b","s":"${"x".repeat(50)}"}\n`)]);
    expect(afterNewline.error).toBeUndefined();
  });

  it("throws as before for a sink without skip, now naming the job", async () => {
    const t = new NdjsonFrameTransformer({ maxFrameBytes: 20 });
    expect(() => t.transform(bytes(`{"id":"big","s":"${"x".repeat(50)}"}\n`), { enqueue() {} })).toThrow(
      expect.objectContaining({ reason: "too_large", jobId: "big" }),
    );
    const { frames, error } = await run(ndjsonDecoder(), [bytes('{"id":"a"}\n{"id":"b","x":nope}\n{"id":"c"}\n')]);
    expect(frames).toEqual([{ id: "a" }]);
    expect(summary(frameError(error))).toEqual({ reason: "malformed", format: "ndjson", jobId: "b" });
  });
});

describe("msgpack with a sink that skips", () => {
  const a = prefixed(encode({ id: "a", payload: { s: "😀" } }));
  const b = prefixed(encode({ id: "b" }));
  const heartbeat = new Uint8Array(4);

  it("passes over a frame declaring more than the cap, across many chunks, never buffering it", () => {
    const max = 1024;
    const bigBody = encode({ id: "big", type: "t", payload: { blob: "z".repeat(1024 * 1024) } });
    const input = concat([a, heartbeat, prefixed(bigBody), heartbeat, b]);
    const t = msgpackFrames({ maxFrameBytes: max });
    const held = t as unknown as { body: Uint8Array | null };
    const frames: unknown[] = [];
    const skipped: ZizqFrameError[] = [];
    const sink = { enqueue: (f: unknown) => frames.push(f), skip: (e: ZizqFrameError) => skipped.push(e) };
    for (let pos = 0; pos < input.byteLength; pos += 1000) {
      t.transform(input.subarray(pos, pos + 1000), sink);
      expect(held.body).toBeNull();
    }
    t.flush();
    expect(frames).toEqual([{ id: "a", payload: { s: "😀" } }, { id: "b" }]);
    expect(skipped.map(summary)).toEqual([{ reason: "too_large", format: "msgpack", jobId: "big" }]);
    expect(skipped[0]?.bytes).toBe(bigBody.byteLength);
    expect(skipped[0]?.limit).toBe(max);
  });

  it("passes over a frame over the cap that lies whole in a chunk", () => {
    const big = prefixed(encode({ id: "big", s: "q".repeat(100) }));
    const { frames, skipped, error } = driveSkipping(msgpackFrames({ maxFrameBytes: 50 }), [concat([a, big, big, b])]);
    expect(error).toBeUndefined();
    expect(frames).toHaveLength(2);
    expect(skipped.map(summary)).toEqual([
      { reason: "too_large", format: "msgpack", jobId: "big" },
      { reason: "too_large", format: "msgpack", jobId: "big" },
    ]);
  });

  it("names the job only when the body's head is in the chunk that completes the prefix, and goes on either way", () => {
    const big = prefixed(encode({ id: "big", s: "q".repeat(100) }));
    const input = concat([a, big, b]);
    const bodyAt = a.byteLength + 4;
    const head = 1 + 3 + 1 + 3; // fixmap, "id", fixstr "big"
    for (let at = a.byteLength; at <= a.byteLength + big.byteLength; at++) {
      const { frames, skipped, error } = driveSkipping(msgpackFrames({ maxFrameBytes: 50 }), split(input, [at]));
      expect(error, `cut at ${at}`).toBeUndefined();
      expect(frames, `cut at ${at}`).toHaveLength(2);
      const named = at < bodyAt || at >= bodyAt + head;
      expect(skipped.map(summary), `cut at ${at}`).toEqual([{ reason: "too_large", format: "msgpack", jobId: named ? "big" : undefined }]);
    }
  });

  it("skips bodies that do not decode or are not a map; the length prefix keeps the framing", () => {
    const input = concat([
      a,
      prefixed(concat([encode({ id: "x1", type: "t" }), Uint8Array.of(0xc0)])), // extra bytes
      prefixed(encode({ id: "x2", type: "t" }).subarray(0, 10)), // cut short
      prefixed(encode(["x3"])),
      prefixed(Uint8Array.of(0xc1, 0x00)),
      heartbeat,
      b,
    ]);
    for (const chunks of [[input], bytewise(input), split(input, [30, 31, 60])]) {
      const { frames, skipped, error } = driveSkipping(msgpackFrames(), chunks);
      expect(error).toBeUndefined();
      expect(frames).toEqual([{ id: "a", payload: { s: "😀" } }, { id: "b" }]);
      expect(skipped.map(summary)).toEqual([
        { reason: "malformed", format: "msgpack", jobId: "x1" },
        { reason: "malformed", format: "msgpack", jobId: "x2" },
        { reason: "malformed", format: "msgpack", jobId: undefined },
        { reason: "malformed", format: "msgpack", jobId: undefined },
      ]);
    }
  });

  it("still throws truncated, also inside a frame it was passing over", () => {
    const inBody = driveSkipping(msgpackFrames(), [concat([a, b.subarray(0, 7)])]);
    expect(frameError(inBody.error).reason).toBe("truncated");
    const big = prefixed(encode({ id: "big", s: "q".repeat(100) }));
    const inSkipped = driveSkipping(msgpackFrames({ maxFrameBytes: 50 }), [concat([a, big.subarray(0, 60)])]);
    expect(inSkipped.frames).toHaveLength(1);
    expect(inSkipped.skipped.map(summary)).toEqual([{ reason: "too_large", format: "msgpack", jobId: "big" }]);
    const e = frameError(inSkipped.error);
    expect(e.reason).toBe("truncated");
    expect(e.message).toContain(`56 of its ${big.byteLength - 4} bytes received`);
  });

  it("throws as before for a sink without skip, now naming the job", async () => {
    const big = prefixed(encode({ id: "big", s: "q".repeat(100) }));
    const { frames, error } = await run(msgpackDecoder({ maxFrameBytes: 50 }), [concat([a, big, b])]);
    expect(frames).toHaveLength(1);
    expect(summary(frameError(error))).toEqual({ reason: "too_large", format: "msgpack", jobId: "big" });
    const t = msgpackFrames();
    expect(() => t.transform(prefixed(encode(["x"])), { enqueue() {} })).toThrow(expect.objectContaining({ reason: "malformed" }));
  });
});

describe("sse with a sink that skips", () => {
  it("skips an event with a line over the cap, or data that is not a JSON object, once, and goes on", () => {
    const input = bytes(
      [
        'data: {"id":"a"}\n\n',
        `data: {"id":"big","s":"${"x".repeat(100)}"}\n\n`,
        ": heartbeat\n\n",
        'data: {"id":"bad",nope}\n\n',
        `data: {"id":"long",\ndata: "s":"${"x".repeat(40)}",\ndata: "t":"${"x".repeat(40)}"}\ndata: 1\n\n`,
        `data: {"id":"first","s":\ndata: "${"y".repeat(100)}"}\ndata: 2\n\n`,
        'data: {"id":"b"}\n\n',
      ].join(""),
    );
    for (const chunks of [[input], bytewise(input), split(input, [50, 120, 121, 200])]) {
      const { frames, skipped, error } = driveSkipping(new SseFrameTransformer({ maxFrameBytes: 80 }), chunks);
      expect(error).toBeUndefined();
      expect(frames).toEqual([{ id: "a" }, { id: "b" }]);
      expect(skipped.map(summary)).toEqual([
        { reason: "too_large", format: "sse", jobId: "big" },
        { reason: "malformed", format: "sse", jobId: "bad" },
        { reason: "too_large", format: "sse", jobId: "long" },
        { reason: "too_large", format: "sse", jobId: "first" }, // its second data line is over the cap
      ]);
    }
  });
});
