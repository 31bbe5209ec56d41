/** A real `GET /jobs/take` response from the in-memory test server, through `decoderFor`, in each format. */
import { describe, expect, it } from "vitest";
import { decoderFor } from "../../support/take-decoders.ts";
import { createTestServer } from "../../../src/testing/index.ts";

const payloads = [{ to: "a@example.com" }, { text: "héllo 😀 中文", n: 1.5 }, { nested: { list: [1, null, true] } }];

describe.each([
  ["application/x-ndjson", "application/x-ndjson"],
  ["application/vnd.zizq.msgpack-stream", "application/vnd.zizq.msgpack-stream"],
  ["text/event-stream", "text/event-stream"],
])("a take response asked for with Accept: %s", (accept, contentType) => {
  it("decodes into the jobs enqueued, snake_case, in order, heartbeats skipped", async () => {
    const server = createTestServer({ heartbeatMs: 5 });
    try {
      const bulk = await server.fetch(
        new Request("http://zizq.test/jobs/bulk", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jobs: payloads.map((payload) => ({ type: "send_email", queue: "emails", payload })) }),
        }),
      );
      expect(bulk.status).toBe(201);
      const ids = ((await bulk.json()) as { jobs: { id: string }[] }).jobs.map((job) => job.id);

      const response = await server.fetch(new Request("http://zizq.test/jobs/take?prefetch=5", { headers: { accept } }));
      expect(response.headers.get("content-type")).toBe(contentType);
      const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(decoderFor(response.headers.get("content-type"))).getReader();
      const frames: Record<string, unknown>[] = [];
      for (let i = 0; i < payloads.length; i++) {
        const { value, done } = await reader.read();
        expect(done).toBe(false);
        frames.push(value as Record<string, unknown>);
      }
      // Heartbeats arrive every 5 ms while nothing else is ready; none of them surfaces as a frame.
      const next = await Promise.race([reader.read(), new Promise((resolve) => setTimeout(() => resolve("quiet"), 40))]);
      expect(next).toBe("quiet");
      await reader.cancel();

      expect(frames.map((frame) => frame.id)).toEqual(ids);
      expect(frames.map((frame) => frame.payload)).toEqual(payloads);
      for (const frame of frames) {
        expect(frame).toMatchObject({ type: "send_email", queue: "emails", status: "in_flight", attempts: 0 });
        expect(typeof frame.dequeued_at).toBe("number");
        expect(typeof frame.ready_at).toBe("number");
      }
    } finally {
      server.close();
    }
  });
});
