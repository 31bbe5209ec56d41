/** Shared helpers for the take-stream decoder tests: encoders for each framing and a chunked run. */
import { Encoder } from "@msgpack/msgpack";
import type { ZizqFrameError } from "../../src/errors/frame-error.ts";
import type { FrameTransformer } from "../../src/stream/options.ts";

const text = new TextEncoder();
const msgpack = new Encoder({ ignoreUndefined: true });

export type Item = { heartbeat: true } | { frame: Record<string, unknown> };

export function ndjsonBytes(items: readonly Item[]): Uint8Array {
  return text.encode(items.map((item) => ("frame" in item ? `${JSON.stringify(item.frame)}\n` : "\n")).join(""));
}

export function sseBytes(items: readonly Item[]): Uint8Array {
  return text.encode(items.map((item) => ("frame" in item ? `data: ${JSON.stringify(item.frame)}\n\n` : ": heartbeat\n\n")).join(""));
}

/** One length-prefixed MessagePack frame (`body` as given, so tests can send bad bodies). */
export function prefixed(body: Uint8Array, declared = body.byteLength): Uint8Array {
  const out = new Uint8Array(4 + body.byteLength);
  new DataView(out.buffer).setUint32(0, declared);
  out.set(body, 4);
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

export function msgpackBytes(items: readonly Item[]): Uint8Array {
  return concat(items.map((item) => ("frame" in item ? prefixed(msgpack.encode(item.frame)) : new Uint8Array(4))));
}

/** Splits `bytes` at the given offsets (clamped, sorted; duplicates give empty chunks). */
export function split(bytes: Uint8Array, at: readonly number[]): Uint8Array[] {
  const points = at.map((p) => Math.max(0, Math.min(bytes.byteLength, p))).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let last = 0;
  for (const p of points) {
    chunks.push(bytes.slice(last, p));
    last = p;
  }
  chunks.push(bytes.slice(last));
  return chunks;
}

export function bytewise(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (byte) => Uint8Array.of(byte));
}

/** Pipes `chunks` through `decoder`; resolves with the frames read and the error the stream ended with, if any. */
export async function run(
  decoder: TransformStream<Uint8Array, unknown>,
  chunks: readonly Uint8Array[],
): Promise<{ frames: unknown[]; error: unknown }> {
  let i = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++] as Uint8Array);
      else controller.close();
    },
  });
  const frames: unknown[] = [];
  const reader = source.pipeThrough(decoder).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return { frames, error: undefined };
      frames.push(value);
    }
  } catch (error) {
    return { frames, error };
  }
}

/** Like `run`, but every frame must decode. */
export async function decodeAll(decoder: TransformStream<Uint8Array, unknown>, chunks: readonly Uint8Array[]): Promise<unknown[]> {
  const { frames, error } = await run(decoder, chunks);
  if (error !== undefined) throw error;
  return frames;
}

/**
 * Drives `transformer` by hand over `chunks` with a sink that has `skip` (as a Worker does), then
 * flushes it: the frames enqueued, the errors handed to `skip`, and the error thrown, if any.
 */
export function driveSkipping(
  transformer: FrameTransformer,
  chunks: readonly Uint8Array[],
): { frames: unknown[]; skipped: ZizqFrameError[]; error: unknown } {
  const frames: unknown[] = [];
  const skipped: ZizqFrameError[] = [];
  const sink = { enqueue: (frame: unknown) => frames.push(frame), skip: (error: ZizqFrameError) => skipped.push(error) };
  try {
    for (const chunk of chunks) transformer.transform(chunk, sink);
    transformer.flush(sink);
  } catch (error) {
    return { frames, skipped, error };
  }
  return { frames, skipped, error: undefined };
}
