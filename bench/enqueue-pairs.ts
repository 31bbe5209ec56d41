/**
 * Single enqueue, sequential, next to a raw request of the same body: runtime-neutral, so
 * bench/client.ts runs it on Node and, as `bun bench/enqueue-pairs.ts <url>` or with `deno run`,
 * on Bun and Deno, which print one JSON line.
 */
import * as v from "valibot";
import { Client, defineJob } from "../src/index.ts";

const WARMUP = 1_000;
const REQUESTS = 2_000;
const PAIRS = 7;

export const SendEmail = defineJob({
  type: "send_email",
  queue: "bench",
  schema: v.object({ to: v.string(), subject: v.string() }),
});
const payload = { to: "someone@example.com", subject: "Welcome" };
/** The raw request's body: what `client.enqueue(SendEmail, payload)` sends. */
export const ENQUEUE_BODY = JSON.stringify({ type: "send_email", queue: "bench", payload });

export interface Pairs {
  raw: number;
  client: number;
  /** Median of the per-pair ratios raw / client: how many times slower the client is. */
  ratio: number;
  ratios: number[];
}

async function requestsPerSecond(send: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < REQUESTS; i++) await send();
  return REQUESTS / ((performance.now() - started) / 1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Requests per second of `raw` and of `client.enqueue`, in back-to-back pairs so drift hits both sides of each ratio alike. */
export async function enqueuePairs(raw: () => Promise<unknown>, client: Client): Promise<Pairs> {
  const typed = () => client.enqueue(SendEmail, payload);
  for (let i = 0; i < WARMUP; i++) await raw();
  for (let i = 0; i < WARMUP; i++) await typed();
  const raws: number[] = [];
  const clients: number[] = [];
  const ratios: number[] = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    const rawRate = await requestsPerSecond(raw);
    const clientRate = await requestsPerSecond(typed);
    raws.push(rawRate);
    clients.push(clientRate);
    ratios.push(rawRate / clientRate);
  }
  return { raw: median(raws), client: median(clients), ratio: median(ratios), ratios };
}

/** The raw request: the runtime's fetch of the same body, its answer read. */
export const rawFetch = (url: string) => () =>
  fetch(`${url}/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: ENQUEUE_BODY }).then((r) => r.json());

const scope = globalThis as { Bun?: { version: string; main: string }; Deno?: { version: { deno: string }; args: string[]; mainModule: string } };
const main = scope.Bun ? scope.Bun.main === new URL(import.meta.url).pathname : scope.Deno?.mainModule === import.meta.url;
if (main) {
  const url = scope.Deno?.args[0] ?? (globalThis as { process?: { argv: string[] } }).process?.argv[2];
  if (url === undefined) throw new Error("usage: bun bench/enqueue-pairs.ts <server url>");
  const runtime = scope.Bun ? `bun ${scope.Bun.version}` : `deno ${scope.Deno?.version.deno}`;
  console.log(JSON.stringify({ runtime, ...(await enqueuePairs(rawFetch(url), new Client({ url }))) }));
}
