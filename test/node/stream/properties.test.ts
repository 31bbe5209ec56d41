/**
 * For any sequence of job-like frames with heartbeats between them, and any way of cutting the
 * encoded bytes into chunks (inside multi-byte characters and inside the 4-byte length prefix
 * too, with empty chunks), every decoder yields exactly the frames sent, in order.
 */
import { decode } from "@msgpack/msgpack";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encode } from "@msgpack/msgpack";
import type { ZizqFrameError } from "../../../src/errors/frame-error.ts";
import { NdjsonFrameTransformer } from "../../../src/stream/ndjson.ts";
import { msgpackDecoder, msgpackFrames, ndjsonDecoder, sseDecoder } from "../../support/take-decoders.ts";
import {
  bytewise,
  concat,
  decodeAll,
  driveSkipping,
  type Item,
  msgpackBytes,
  ndjsonBytes,
  prefixed,
  split,
  sseBytes,
} from "../../support/stream-frames.ts";

const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }), // any code point: 2-, 3- and 4-byte UTF-8
  fc.string({ unit: "grapheme", maxLength: 20 }), // emoji and combining sequences
  fc.string({ maxLength: 20 }),
  fc.constantFrom("😀", "👩🏽‍🚀", "é", "中文", "\u2028", "\n", "\r\n", "\"\\", "data: x"),
);

// @msgpack/msgpack refuses to decode a `__proto__` key (a DecodeError), so frames holding one are
// left out: a MessagePack decoder fails them, and the expected value cannot be built.
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
}).filter((frame) => !JSON.stringify(frame).includes('"__proto__":'));

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

/**
 * With a sink that has `skip`, one bad frame among good ones, cut anywhere: the good frames come
 * out in order and `skip` is called once, with the same reason and job id for any chunking (for a
 * MessagePack frame over the cap the id is read only when its head is in the chunk that completes
 * the length prefix).
 */
describe("decoders with a sink that skips", () => {
  const id = fc.stringMatching(/^[0-9a-z]{25}$/);
  const utf8 = new TextEncoder();
  const summary = (e: ZizqFrameError) => ({ reason: e.reason, format: e.format, jobId: e.jobId });
  const cutAt = (bytes: Uint8Array, fractions: readonly number[]) => fractions.map((f) => Math.floor(f * bytes.byteLength));
  /** A frame over a cap of `max`: its blob alone is longer, and may hold multi-byte characters. */
  const oversize = (badId: string, filler: string, max: number, extra: number) => ({
    id: badId,
    type: "t",
    payload: { blob: filler + "x".repeat(max + extra) },
  });
  const filler = fc.string({ unit: "binary", maxLength: 30 });
  const extra = fc.nat({ max: 3000 });
  const cases = { numRuns: 200 };

  it("ndjson: a line over the cap between good ones", () => {
    fc.assert(
      fc.property(items, items, id, filler, extra, cuts, (before, after, badId, fill, more, fractions) => {
        const good = framesOf([...before, ...after]);
        const max = Math.max(64, ...good.map((frame) => utf8.encode(JSON.stringify(frame)).byteLength));
        const bytes = ndjsonBytes([...before, { frame: oversize(badId, fill, max, more) }, ...after]);
        const { frames, skipped, error } = driveSkipping(new NdjsonFrameTransformer({ maxFrameBytes: max }), split(bytes, cutAt(bytes, fractions)));
        expect(error).toBeUndefined();
        expect(frames).toEqual(formats[0].expected(good));
        expect(skipped.map(summary)).toEqual([{ reason: "too_large", format: "ndjson", jobId: badId }]);
        expect(skipped[0]?.limit).toBe(max);
      }),
      cases,
    );
  });

  it("ndjson: a line that is not a JSON object between good ones", () => {
    const bad = fc.oneof(
      id.map((badId) => [`{"id":"${badId}","payload":nope}`, badId] as const),
      id.map((badId) => [`{ "id" : "${badId}", "payload": {"s": "😀é"`, badId] as const),
      id.map((badId) => [`{"id":"${badId}","type":"t"}}`, badId] as const),
      id.map((badId) => [`["${badId}"]`, undefined] as const),
    );
    fc.assert(
      fc.property(items, items, bad, cuts, (before, after, [line, badId], fractions) => {
        const bytes = concat([ndjsonBytes(before), utf8.encode(`${line}\n`), ndjsonBytes(after)]);
        const { frames, skipped, error } = driveSkipping(new NdjsonFrameTransformer(), split(bytes, cutAt(bytes, fractions)));
        expect(error).toBeUndefined();
        expect(frames).toEqual(formats[0].expected(framesOf([...before, ...after])));
        expect(skipped.map(summary)).toEqual([{ reason: "malformed", format: "ndjson", jobId: badId }]);
      }),
      cases,
    );
  });

  it("msgpack: a frame over the cap between good ones", () => {
    fc.assert(
      fc.property(items, items, id, filler, extra, cuts, (before, after, badId, fill, more, fractions) => {
        const good = framesOf([...before, ...after]);
        const max = Math.max(64, ...good.map((frame) => msgpackBytes([{ frame }]).byteLength - 4));
        const head = msgpackBytes(before);
        const bytes = concat([head, msgpackBytes([{ frame: oversize(badId, fill, max, more) }]), msgpackBytes(after)]);
        const at = cutAt(bytes, fractions);
        const body = head.byteLength + 4; // fixmap, "id", then the 25-char id as a fixstr: 30 bytes
        const named = at.every((p) => p < body || p >= body + 30);
        const { frames, skipped, error } = driveSkipping(msgpackFrames({ maxFrameBytes: max }), split(bytes, at));
        expect(error).toBeUndefined();
        expect(frames).toEqual(formats[1].expected(good));
        expect(skipped.map(summary)).toEqual([{ reason: "too_large", format: "msgpack", jobId: named ? badId : undefined }]);
      }),
      cases,
    );
  });

  it("msgpack: a body that does not decode or is not a map between good ones", () => {
    const bad = fc.oneof(
      id.map((badId) => [concat([encode({ id: badId, type: "t" }), Uint8Array.of(0xc0)]), badId] as const),
      id.map((badId) => [encode({ id: badId, type: "t" }).subarray(0, 35), badId] as const),
      id.map((badId) => [encode([badId]), undefined] as const),
      fc.constant([Uint8Array.of(0xc1), undefined] as const),
    );
    fc.assert(
      fc.property(items, items, bad, cuts, (before, after, [body, badId], fractions) => {
        const bytes = concat([msgpackBytes(before), prefixed(body), msgpackBytes(after)]);
        const { frames, skipped, error } = driveSkipping(msgpackFrames(), split(bytes, cutAt(bytes, fractions)));
        expect(error).toBeUndefined();
        expect(frames).toEqual(formats[1].expected(framesOf([...before, ...after])));
        expect(skipped.map(summary)).toEqual([{ reason: "malformed", format: "msgpack", jobId: badId }]);
      }),
      cases,
    );
  });
});
