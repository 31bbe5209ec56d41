/**
 * A runtime-neutral walk over the take-stream decoders, registered by Bun, Deno and workerd (their
 * own test files pass in an assert), so the TransformStream, TextDecoder and MessagePack paths are
 * checked in each runtime's own web-streams implementation, not only Node's.
 */
import { ZizqFrameError } from "../../src/errors/frame-error.ts";
import { decoderFor } from "./take-decoders.ts";
import { createTestServer } from "../../src/testing/index.ts";
import type { Assert } from "./assert.ts";
import { bytewise, type Item, msgpackBytes, ndjsonBytes, run, split, sseBytes } from "./stream-frames.ts";
import { eventually, within } from "./wait.ts";
import type { Walk } from "./walk.ts";

const items: Item[] = [
  { heartbeat: true },
  { frame: { id: "a", type: "t", payload: { s: "😀 é 中文 👩🏽‍🚀", n: 1.5, list: [1, null, true] } } },
  { heartbeat: true },
  { frame: { id: "b", type: "t", payload: { blob: "x".repeat(5000) } } },
];
const frames = items.flatMap((item) => ("frame" in item ? [item.frame] : []));

const formats = [
  ["application/x-ndjson", ndjsonBytes],
  ["application/vnd.zizq.msgpack-stream", msgpackBytes],
  ["text/event-stream", sseBytes],
] as const;

/** Every framing through every chunking, and the frame-size cap. */
async function decodes(type: (typeof formats)[number][0], encode: (typeof formats)[number][1], assert: Assert): Promise<void> {
  const bytes = encode(items);
  for (const chunks of [[bytes], bytewise(bytes), split(bytes, [1, 5, 7, 20, 21, 3000, 3001])]) {
    const { frames: got, error } = await run(decoderFor(type), chunks);
    assert.equal(error, undefined, `${type}: ${String(error)}`);
    assert.deepEqual(got, frames, type);
  }
  const capped = await run(decoderFor(type, { maxFrameBytes: 1000 }), [bytes]);
  assert.ok(capped.error instanceof ZizqFrameError, `${type}: capped`);
  assert.equal((capped.error as ZizqFrameError).reason, "too_large");
  assert.equal(capped.frames.length, 1);
}

async function testServerTake(assert: Assert): Promise<void> {
  const server = createTestServer({ heartbeatMs: 5 });
  try {
    const payloads = [{ to: "a@example.com" }, { s: "😀" }];
    const bulk = await server.fetch(
      new Request("http://zizq.test/jobs/bulk", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jobs: payloads.map((payload) => ({ type: "t", queue: "q", payload })) }),
      }),
    );
    assert.equal(bulk.status, 201);
    for (const [accept] of formats) {
      // Each take claims both jobs; the cancel below puts them back for the next format.
      const response = await server.fetch(new Request("http://zizq.test/jobs/take?prefetch=5", { headers: { accept } }));
      assert.equal(response.headers.get("content-type"), accept);
      const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(decoderFor(response.headers.get("content-type"))).getReader();
      const got: unknown[] = [];
      for (let i = 0; i < payloads.length; i++) got.push(((await within(reader.read(), `job ${i} as ${accept}`)).value as { payload: unknown }).payload);
      await reader.cancel();
      assert.deepEqual(got, payloads, accept);
      await eventually(async () => {
        const ready = (await (await server.fetch(new Request("http://zizq.test/jobs/count?status=ready"))).json()) as { count: number };
        return ready.count === payloads.length;
      }, "the server to requeue the jobs");
    }
  } finally {
    server.close();
  }
}

export const streamWalk: Walk = {
  steps: [
    ...formats.map(([type, encode]) => ({ name: `${type} decodes in any chunking and caps the frame size`, run: (_: void, assert: Assert) => decodes(type, encode, assert) })),
    { name: "a test-server take decodes in every format", run: (_: void, assert: Assert) => testServerTake(assert) },
  ],
};
