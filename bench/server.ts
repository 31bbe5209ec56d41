import { createTestServer, type TestServer } from "../src/testing/index.ts";

const BULK = 1_000;
const PREFETCH = 100;
const JSON_HEADERS = { "content-type": "application/json" };

/**
 * Pushes `total` jobs through the in-process test server: bulk enqueue, one take stream at
 * prefetch 100, and a bulk ack for every chunk the stream delivers.
 */
async function pipeline(server: TestServer, total: number): Promise<number> {
  const call = (path: string, init?: RequestInit) => server.fetch(new Request(`http://zizq.test${path}`, init));
  const started = performance.now();

  const produce = async () => {
    for (let sent = 0; sent < total; sent += BULK) {
      const jobs = Array.from({ length: Math.min(BULK, total - sent) }, (_, i) => ({
        type: "bench",
        queue: "bench",
        payload: { n: sent + i, to: "someone@example.com" },
      }));
      const response = await call("/jobs/bulk", { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ jobs }) });
      if (response.status !== 201) throw new Error(`bulk enqueue: ${response.status}`);
      await response.arrayBuffer();
    }
  };

  const consume = async () => {
    const take = await call(`/jobs/take?prefetch=${PREFETCH}`);
    const reader = take.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    let acked = 0;
    while (acked < total) {
      const { value, done } = await reader.read();
      if (done) throw new Error("take stream ended");
      buffered += value;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      const ids = lines.filter((line) => line !== "").map((line) => (JSON.parse(line) as { id: string }).id);
      if (ids.length === 0) continue;
      const response = await call("/jobs/success", { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ ids }) });
      if (response.status !== 204) throw new Error(`bulk ack: ${response.status}`);
      acked += ids.length;
    }
    await reader.cancel();
  };

  await Promise.all([produce(), consume()]);
  return performance.now() - started;
}

function heapMb(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with node --expose-gc (npm run bench does)");
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

export async function run(): Promise<void> {
  const server = createTestServer();
  await pipeline(server, 20_000);
  const before = heapMb();

  const total = 100_000;
  const ms = await pipeline(server, total);
  const rate = Math.round(total / (ms / 1000));
  console.log(`bulk enqueue (1,000) -> take (prefetch ${PREFETCH}) -> bulk ack: ${rate.toLocaleString("en")} jobs/s (${total.toLocaleString("en")} jobs in ${Math.round(ms)} ms; target >= 20,000)`);

  const after = heapMb();
  const growth = ((after - before) / before) * 100;
  console.log(`heap after ${total.toLocaleString("en")} jobs with retention 0: ${before.toFixed(1)} MB -> ${after.toFixed(1)} MB (${growth >= 0 ? "+" : ""}${growth.toFixed(1)}%; target within 20%)`);
  server.close();
  if (rate < 20_000 || Math.abs(growth) > 20) process.exitCode = 1;
}
