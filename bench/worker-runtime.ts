/**
 * The Worker's stub runs on another runtime: `bun bench/worker-runtime.ts <stub url>` or the same
 * with `deno run`, started by bench/worker.ts with the stub in a Node process. Runs the bare fetch
 * loop and the Worker in both formats over STUB_CELLS, taking turns within each round, and the JSON
 * Worker with pipelined acks (`acks.pipelineAt`, off by default over a plain fetch) where a
 * nodeClient Worker would pipeline them; prints one JSON line: the runtime and each cell's medians
 * and ratios.
 */
import { Client } from "../src/index.ts";
import {
  againstStub,
  bareLoop,
  FORMATS,
  type Measured,
  median,
  medianOf,
  pipelinedAcks,
  runWorker,
  STUB_CELLS,
  STUB_ROUNDS,
  WARMUP_JOBS,
} from "./worker-loops.ts";

export interface RuntimeCell {
  concurrency: number;
  prefetch: number;
  jobs: number;
  bare: Measured;
  json: Measured;
  msgpack: Measured;
  /** The JSON Worker with `acks.pipelineAt` at half the window, for windows of 128 or less. */
  pipelined: Measured | undefined;
  /** Each Worker as a share of the bare loop: the median of the per-round ratios. */
  ofBare: { json: number; msgpack: number; pipelined: number | undefined };
}

function runtimeName(): string {
  const scope = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
  if (scope.Bun) return `bun ${scope.Bun.version}`;
  if (scope.Deno) return `deno ${scope.Deno.version.deno}`;
  return "unknown";
}

async function main(url: string): Promise<void> {
  const clients = { json: new Client({ url, format: "json" }), msgpack: new Client({ url, format: "msgpack" }) };
  for (const format of FORMATS) await againstStub(url, WARMUP_JOBS, () => runWorker(clients[format], 128, 256, WARMUP_JOBS));
  await againstStub(url, WARMUP_JOBS, () => bareLoop(url, 256, WARMUP_JOBS));
  const cells: RuntimeCell[] = [];
  for (const [concurrency, prefetch, jobs] of STUB_CELLS) {
    const runs = { bare: [] as Measured[], json: [] as Measured[], msgpack: [] as Measured[], pipelined: [] as Measured[] };
    const acks = pipelinedAcks(prefetch);
    const pipelines = acks.pipelineAt !== false;
    for (let round = 0; round < STUB_ROUNDS; round++) {
      runs.bare.push(await againstStub(url, jobs, () => bareLoop(url, prefetch, jobs)));
      for (const format of FORMATS) runs[format].push(await againstStub(url, jobs, () => runWorker(clients[format], concurrency, prefetch, jobs)));
      if (pipelines) runs.pipelined.push(await againstStub(url, jobs, () => runWorker(clients.json, concurrency, prefetch, jobs, {}, acks)));
    }
    const share = (own: Measured[]) => median(own.map((m, round) => m.jobsPerSecond / (runs.bare[round]?.jobsPerSecond ?? Number.NaN)));
    cells.push({
      concurrency,
      prefetch,
      jobs,
      bare: medianOf(runs.bare),
      json: medianOf(runs.json),
      msgpack: medianOf(runs.msgpack),
      pipelined: pipelines ? medianOf(runs.pipelined) : undefined,
      ofBare: { json: share(runs.json), msgpack: share(runs.msgpack), pipelined: pipelines ? share(runs.pipelined) : undefined },
    });
  }
  console.log(JSON.stringify({ runtime: runtimeName(), cells }));
}

const args = (globalThis as { Deno?: { args: string[] } }).Deno?.args ?? (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const url = args[0];
if (url === undefined) throw new Error("usage: bun bench/worker-runtime.ts <stub url>");
await main(url);
