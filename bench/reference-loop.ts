/**
 * The yardstick on Node for `npm run bench -- worker`: a worker loop that talks to Zizq the way the
 * official Node client (zizq-labs/zizq-node) does, written for this bench. undici's `request` on
 * keep-alive Pools over HTTP/1.1, the take stream on a pool of its own; up to `concurrency`
 * handlers at once, waiting on `Promise.race` when full; acks gathered until the next
 * `setImmediate` and sent in bulk, one request at a time, ids that arrive meanwhile in the next.
 */
import { Decoder, Encoder } from "@msgpack/msgpack";
import { Pool } from "undici";
import type { Format } from "../src/index.ts";

const MEDIA = { json: "application/json", msgpack: "application/msgpack" };
const STREAM_MEDIA = { json: "application/x-ndjson", msgpack: "application/vnd.zizq.msgpack-stream" };

interface TakenJob {
  id: string;
}

/** Jobs from a take body, NDJSON or length-prefixed MessagePack, heartbeats skipped. */
async function* jobsOf(body: AsyncIterable<Buffer>, format: Format): AsyncGenerator<TakenJob> {
  if (format === "json") {
    const text = new TextDecoder();
    let carry = "";
    for await (const chunk of body) {
      const lines = (carry + text.decode(chunk, { stream: true })).split("\n");
      carry = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") yield JSON.parse(line) as TakenJob;
    }
    return;
  }
  const decoder = new Decoder();
  let buffered: Buffer = Buffer.alloc(0);
  for await (const chunk of body) {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    let at = 0;
    while (buffered.length - at >= 4) {
      const size = buffered.readUInt32BE(at);
      if (buffered.length - at - 4 < size) break;
      if (size > 0) yield decoder.decode(buffered.subarray(at + 4, at + 4 + size)) as TakenJob;
      at += 4 + size;
    }
    buffered = buffered.subarray(at);
  }
}

export interface ReferenceClient {
  /** Takes and acks `jobs` no-op jobs, then closes the take stream. */
  run(format: Format, concurrency: number, prefetch: number, jobs: number): Promise<void>;
  close(): Promise<void>;
}

export function referenceClient(url: string): ReferenceClient {
  const calls = new Pool(url);
  const streams = new Pool(url);
  const encoder = new Encoder();

  async function run(format: Format, concurrency: number, prefetch: number, jobs: number): Promise<void> {
    const headers = { "content-type": MEDIA[format], accept: MEDIA[format] };
    let pending: string[] = [];
    let flushing: Promise<void> | undefined;
    const flush = async (): Promise<void> => {
      while (pending.length > 0) {
        const ids = pending;
        pending = [];
        const body = format === "json" ? JSON.stringify({ ids }) : encoder.encode({ ids });
        const answer = await calls.request({ path: "/jobs/success", method: "POST", headers, body });
        await answer.body.dump();
        if (answer.statusCode !== 204) throw new Error(`bulk ack: ${answer.statusCode}`);
      }
      flushing = undefined;
    };
    const ack = (id: string): void => {
      pending.push(id);
      flushing ??= new Promise<void>((resolve, reject) => setImmediate(() => flush().then(resolve, reject)));
    };
    const handler = async (_job: TakenJob): Promise<void> => {};
    const process = async (job: TakenJob): Promise<void> => {
      await handler(job);
      ack(job.id);
    };

    const stream = new AbortController();
    const take = await streams.request({
      path: `/jobs/take?prefetch=${prefetch}`,
      method: "GET",
      headers: { accept: STREAM_MEDIA[format] },
      signal: stream.signal,
    });
    const running = new Set<Promise<void>>();
    let taken = 0;
    for await (const job of jobsOf(take.body, format)) {
      const task: Promise<void> = process(job).finally(() => running.delete(task));
      running.add(task);
      if (running.size >= concurrency) await Promise.race(running);
      if (++taken < jobs) continue;
      // Leaving the loop closes the stream, and the server would take back jobs whose acks are still out.
      await Promise.all(running);
      while (flushing !== undefined) await flushing;
      break;
    }
    stream.abort();
    take.body.destroy();
  }

  return {
    run,
    close: async () => {
      await Promise.all([calls.close(), streams.destroy()]);
    },
  };
}
