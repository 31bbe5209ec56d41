/**
 * For any sequence of job-like frames with heartbeats between them, and any way of cutting the
 * encoded bytes into chunks (inside multi-byte characters and inside the 4-byte length prefix
 * too, with empty chunks), every decoder yields exactly the frames sent, in order.
 */
import { decode } from "@msgpack/msgpack";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { msgpackDecoder, ndjsonDecoder, sseDecoder } from "../../../src/stream/index.ts";
import { bytewise, decodeAll, type Item, msgpackBytes, ndjsonBytes, split, sseBytes } from "./helpers.ts";

const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }), // any code point: 2-, 3- and 4-byte UTF-8
  fc.string({ unit: "grapheme", maxLength: 20 }), // emoji and combining sequences
  fc.string({ maxLength: 20 }),
  fc.constantFrom("😀", "👩🏽‍🚀", "é", "中文", "\u2028", "\n", "\r\n", "\"\\", "data: x"),
);

const job = fc.record({
  id: fc.stringMatching(/^[0-9a-z]{25}$/),
  type: text,
  queue: text,
  priority: fc.integer({ min: 0, max: 65535 }),
  status: fc.constant("in_flight"),
  ready_at: fc.nat(),
  attempts: fc.nat({ max: 100 }),
  dequeued_at: fc.nat(),
  payload: fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.dictionary(text, text),
    fc.record({ blob: fc.string({ unit: "binary", minLength: 200, maxLength: 3000 }) }), // frames longer than chunks
  ),
});

const items = fc.array(
  fc.oneof({ weight: 4, arbitrary: job.map((frame): Item => ({ frame })) }, { weight: 1, arbitrary: fc.constant<Item>({ heartbeat: true }) }),
  { maxLength: 25 },
);

/** Cut points as fractions of the byte length, so they land anywhere (and sometimes on the same spot). */
const cuts = fc.oneof(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 60 }), fc.constant([]));

const formats = [
  {
    name: "ndjson",
    decoder: ndjsonDecoder,
    encode: ndjsonBytes,
    // what the server's frames are once decoded on their own
    expected: (frames: Record<string, unknown>[]) => frames.map((frame) => JSON.parse(JSON.stringify(frame)) as unknown),
  },
  {
    name: "msgpack",
    decoder: msgpackDecoder,
    encode: msgpackBytes,
    expected: (frames: Record<string, unknown>[]) => frames.map((frame) => decode(msgpackBytes([{ frame }]).subarray(4))),
  },
  {
    name: "sse",
    decoder: sseDecoder,
    encode: sseBytes,
    expected: (frames: Record<string, unknown>[]) => frames.map((frame) => JSON.parse(JSON.stringify(frame)) as unknown),
  },
] as const;

const framesOf = (list: Item[]) => list.flatMap((item) => ("frame" in item ? [item.frame] : []));

describe.each(formats)("$name decoder", ({ decoder, encode, expected }) => {
  it("yields the frames sent, in order, for any frames and any chunking", async () => {
    await fc.assert(
      fc.asyncProperty(items, cuts, async (list, fractions) => {
        const bytes = encode(list);
        const chunks = split(
          bytes,
          fractions.map((f) => Math.floor(f * bytes.byteLength)),
        );
        expect(await decodeAll(decoder(), chunks)).toEqual(expected(framesOf(list)));
      }),
      { numRuns: 300 },
    );
  });

  it("yields the frames sent when every byte arrives on its own", async () => {
    await fc.assert(
      fc.asyncProperty(items, async (list) => {
        expect(await decodeAll(decoder(), bytewise(encode(list)))).toEqual(expected(framesOf(list)));
      }),
      { numRuns: 30 },
    );
  });

  it("yields the frames sent for every single cut point of a fixed unicode sample", async () => {
    const list: Item[] = [
      { heartbeat: true },
      { frame: { id: "a", payload: { s: "😀é中\u2028x", n: -1.5 } } },
      { heartbeat: true },
      { heartbeat: true },
      { frame: { id: "b", payload: { emoji: "👩🏽‍🚀".repeat(3) } } },
      { frame: { id: "c", payload: {} } },
      { heartbeat: true },
    ];
    const bytes = encode(list);
    const want = expected(framesOf(list));
    for (let at = 0; at <= bytes.byteLength; at++) {
      expect(await decodeAll(decoder(), split(bytes, [at])), `cut at ${at}`).toEqual(want);
    }
  });
});
