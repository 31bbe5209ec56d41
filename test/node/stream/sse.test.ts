import { describe, expect, it } from "vitest";
import { ZizqFrameError } from "../../../src/errors/frame-error.ts";
import { sseDecoder } from "../../support/take-decoders.ts";
import { bytewise, decodeAll, run } from "../../support/stream-frames.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("sseDecoder", () => {
  it("decodes data events and skips heartbeat comments, ids, event names and retries", async () => {
    const input = ': heartbeat\n\ndata: {"id":"a"}\n\nid: 7\nevent: job\nretry: 10\ndata:{"id":"b"}\n\n: heartbeat\n\nevent: ping\n\n';
    expect(await decodeAll(sseDecoder(), [bytes(input)])).toEqual([{ id: "a" }, { id: "b" }]);
    expect(await decodeAll(sseDecoder(), bytewise(bytes(input)))).toEqual([{ id: "a" }, { id: "b" }]);
  });

  it("joins several data lines of one event with a newline, and accepts \\r\\n", async () => {
    expect(await decodeAll(sseDecoder(), [bytes('data: {"id":\r\ndata: "a"}\r\n\r\n')])).toEqual([{ id: "a" }]);
  });

  it("decodes a final event whose blank line never came; a cut-short one is truncated", async () => {
    expect(await decodeAll(sseDecoder(), [bytes('data: {"id":"a"}\n')])).toEqual([{ id: "a" }]);
    const { error } = await run(sseDecoder(), [bytes('data: {"id":"a"}\n\ndata: {"id":')]);
    expect(error).toBeInstanceOf(ZizqFrameError);
    expect((error as ZizqFrameError).reason).toBe("truncated");
  });

  it("errors on malformed data and on a line over the cap", async () => {
    const bad = await run(sseDecoder(), [bytes("data: {nope}\n\n")]);
    expect((bad.error as ZizqFrameError).reason).toBe("malformed");
    expect((bad.error as ZizqFrameError).message).toContain("{nope}");
    const big = await run(sseDecoder({ maxFrameBytes: 50 }), [bytes(`data: {"s":"${"x".repeat(60)}"}\n\n`)]);
    expect((big.error as ZizqFrameError).reason).toBe("too_large");
    const joined = await run(sseDecoder({ maxFrameBytes: 50 }), [bytes(`data: ${"1".repeat(30)}\ndata: ${"1".repeat(30)}\n\n`)]);
    expect((joined.error as ZizqFrameError).reason).toBe("too_large");
  });
});
