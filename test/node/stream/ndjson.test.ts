import { describe, expect, it } from "vitest";
import { ZizqArgumentError } from "../../../src/errors/argument-error.ts";
import { ZizqFrameError } from "../../../src/errors/frame-error.ts";
import { ZizqError } from "../../../src/errors/zizq-error.ts";
import { NdjsonFrameTransformer } from "../../../src/stream/ndjson.ts";
import { ndjsonDecoder } from "../../support/take-decoders.ts";
import { decodeAll, run, split } from "../../support/stream-frames.ts";

const text = new TextEncoder();
const bytes = (s: string) => text.encode(s);

function frameError(error: unknown): ZizqFrameError {
  expect(error).toBeInstanceOf(ZizqFrameError);
  expect(error).toBeInstanceOf(ZizqError);
  return error as ZizqFrameError;
}

describe("ndjsonDecoder", () => {
  it("skips heartbeats, blank and whitespace-only lines, and tolerates \\r\\n", async () => {
    const input = '\n\n{"id":"a"}\r\n\r\n  \n{"id":"b"}\n\t\r\n\n';
    expect(await decodeAll(ndjsonDecoder(), [bytes(input)])).toEqual([{ id: "a" }, { id: "b" }]);
    expect(await decodeAll(ndjsonDecoder(), split(bytes(input), [11, 12, 13]))).toEqual([{ id: "a" }, { id: "b" }]);
  });

  it("decodes a final line that has no newline (lenient: the server always ends its lines)", async () => {
    expect(await decodeAll(ndjsonDecoder(), split(bytes('{"id":"a"}\n{"id":"b"}'), [14]))).toEqual([{ id: "a" }, { id: "b" }]);
    expect(await decodeAll(ndjsonDecoder(), [bytes('{"id":"a"}\r')])).toEqual([{ id: "a" }]);
  });

  it("reports a final line cut short as truncated, after the frames before it", async () => {
    const { frames, error } = await run(ndjsonDecoder(), [bytes('{"id":"a"}\n{"id":"b","pay')]);
    expect(frames).toEqual([{ id: "a" }]);
    const e = frameError(error);
    expect(e.reason).toBe("truncated");
    expect(e.format).toBe("ndjson");
    expect(e.message).toContain('{\\"id\\":\\"b\\",\\"pay');
  });

  it("reports a stream cut inside a UTF-8 sequence as truncated", async () => {
    const { error } = await run(ndjsonDecoder(), [bytes('{"id":"a"}\n'), bytes("😀").subarray(0, 2)]);
    expect(frameError(error).reason).toBe("truncated");
  });

  it("errors the stream on a malformed line, naming the problem with an excerpt, after the frames before it", async () => {
    const bad = `{"id":"b","payload":${"x".repeat(500)}}`;
    const { frames, error } = await run(ndjsonDecoder(), [bytes(`{"id":"a"}\n${bad}\n{"id":"c"}\n`)]);
    expect(frames).toEqual([{ id: "a" }]);
    const e = frameError(error);
    expect(e.reason).toBe("malformed");
    expect(e.message).toMatch(/^ndjson take stream: a line is not a job frame: invalid JSON \(/);
    expect(e.message).toContain('{\\"id\\":\\"b\\",\\"payload\\":xxx');
    expect(e.message.length).toBeLessThan(300); // an excerpt, not the whole line
    expect(e.bytes).toBe(bad.length);
    expect(e.cause).toBeInstanceOf(SyntaxError);
  });

  it.for(["[1,2]", "42", '"job"', "null", "true"])("rejects %s: a frame must be a JSON object", async (line) => {
    const { error } = await run(ndjsonDecoder(), [bytes(`${line}\n`)]);
    const e = frameError(error);
    expect(e.reason).toBe("malformed");
    expect(e.message).toContain("a frame must be a JSON object");
  });

  it("rejects invalid UTF-8 as malformed", async () => {
    const { error } = await run(ndjsonDecoder(), [Uint8Array.of(0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d, 0x0a)]);
    expect(frameError(error).reason).toBe("malformed");
  });

  describe("maxFrameBytes", () => {
    it("defaults to 8 MiB and refuses a non-positive or fractional cap", () => {
      expect(() => new NdjsonFrameTransformer({ maxFrameBytes: 0 })).toThrow(ZizqArgumentError);
      expect(() => new NdjsonFrameTransformer({ maxFrameBytes: 1.5 })).toThrow(/maxFrameBytes/);
      const line = `{"s":"${"x".repeat(8 * 1024 * 1024 - 9)}"}\n`; // 8 MiB with its newline
      const frames: unknown[] = [];
      const t = new NdjsonFrameTransformer();
      t.transform(bytes(line), { enqueue: (f) => frames.push(f) });
      expect(frames).toHaveLength(1);
      expect(() => t.transform(bytes(`{"s":"${"x".repeat(8 * 1024 * 1024)}"}\n`), { enqueue() {} })).toThrow(ZizqFrameError);
    });

    it("fails a line that never ends as soon as it passes the cap, without buffering the rest", () => {
      const max = 64 * 1024;
      const t = new NdjsonFrameTransformer({ maxFrameBytes: max });
      const sink = { enqueue() {} };
      t.transform(bytes('{"id":"a"}\n{"s":"'), sink); // 6 bytes of the long line so far
      const piece = bytes("x".repeat(1024));
      let fed = 0;
      let error: unknown;
      try {
        for (; fed < 10_000; fed++) t.transform(piece, sink);
      } catch (e) {
        error = e;
      }
      const e = frameError(error);
      expect(e.reason).toBe("too_large");
      expect(e.limit).toBe(max);
      expect(e.bytes).toBe(6 + (fed + 1) * 1024);
      expect(fed).toBe(63); // 6 + 63 KiB fits; the 64th KiB would pass the cap
    });

    it("errors a stream whose line never ends, pulling no more than the cap from the source", async () => {
      let pulled = 0;
      const source = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++;
          controller.enqueue(bytes("y".repeat(4096)));
        },
      });
      const reader = source.pipeThrough(ndjsonDecoder({ maxFrameBytes: 100_000 })).getReader();
      const e = frameError(await reader.read().then(() => undefined, (error: unknown) => error));
      expect(e.reason).toBe("too_large");
      expect(pulled * 4096).toBeLessThan(100_000 + 4 * 4096); // the cap plus what the pipe's queues hold
    });

    it("measures lines in UTF-8 bytes, within one chunk and across chunks", async () => {
      const line = (n: number) => `"${"é".repeat(n)}"`; // 2 + 2n bytes, n + 2 UTF-16 units
      const ok = `{"s":${line(10)}}`; // 28 bytes
      const over = `{"s":${line(11)}}`; // 30 bytes
      expect(bytes(ok).byteLength).toBe(28);
      expect(await decodeAll(ndjsonDecoder({ maxFrameBytes: 28 }), [bytes(`${ok}\n`)])).toHaveLength(1);
      expect(await decodeAll(ndjsonDecoder({ maxFrameBytes: 28 }), split(bytes(`${ok}\n${ok}\n`), [7, 15, 30]))).toHaveLength(2);
      for (const cuts of [[], [9], [9, 21], [29]]) {
        const { frames, error } = await run(ndjsonDecoder({ maxFrameBytes: 29 }), split(bytes(`${ok}\n${over}\n`), cuts.map((c) => c + 29)));
        expect(frames, `cuts ${cuts}`).toHaveLength(1);
        const e = frameError(error);
        expect(e.reason).toBe("too_large");
        expect(e.bytes).toBeGreaterThanOrEqual(30);
      }
    });

    it("counts a line's bytes exactly when the decoder holds a partial character across chunks", async () => {
      const line = bytes(`{"s":"${"😀".repeat(4)}"}\n`); // 24 bytes + newline
      for (let at = 1; at < line.byteLength; at++) {
        expect(await decodeAll(ndjsonDecoder({ maxFrameBytes: 24 }), split(line, [at])), `cut at ${at}`).toHaveLength(1);
        const { error } = await run(ndjsonDecoder({ maxFrameBytes: 23 }), split(line, [at]));
        expect(frameError(error).reason, `cut at ${at}`).toBe("too_large");
      }
    });
  });
});
