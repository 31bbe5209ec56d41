import { createTestServer } from "../src/testing/index.ts";

const PARKED = 10_000;
const IDLE_MS = 3_000;
const JSON_HEADERS = { "content-type": "application/json" };

type Policy = { allocation: number; strategy: Record<string, unknown> };

/**
 * A take stream idle while 10,000 jobs wait on an exhausted budget: the CPU the process spends
 * over a few seconds. Parked jobs must cost nothing while they wait (streams are woken by the
 * events that can free tokens, never by polling).
 */
async function idleWith(label: string, policy: Policy | undefined): Promise<void> {
  const server = createTestServer({ license: "pro" });
  const call = async (path: string, init?: RequestInit) => {
    const response = await server.fetch(new Request(`http://zizq.test${path}`, init));
    if (response.status >= 300) throw new Error(`${init?.method ?? "GET"} ${path}: ${response.status} ${await response.text()}`);
    return response;
  };
  const budgets = policy ? [{ key: "api" }] : undefined;
  if (policy) await call("/budgets/api", { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(policy) });
  const total = policy ? PARKED + 1 : 0;
  for (let sent = 0; sent < total; sent += 1_000) {
    const jobs = Array.from({ length: Math.min(1_000, total - sent) }, (_, i) => ({ type: "t", queue: "q", payload: sent + i, budgets }));
    await call("/jobs/bulk", { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ jobs }) });
  }
  const reader = (await call("/jobs/take?prefetch=0")).body!.pipeThrough(new TextDecoderStream()).getReader();
  let first: string | undefined;
  if (policy) first = (JSON.parse((await reader.read()).value!) as { id: string }).id;

  const cpu = process.cpuUsage();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - started;
  const cpuMs = (used.user + used.system) / 1000;
  console.log(
    `idle take stream, ${label}: ${cpuMs.toFixed(1)} ms CPU in ${Math.round(wallMs)} ms (${((cpuMs / wallMs) * 100).toFixed(2)}%; target < 2%)`,
  );
  if (cpuMs / wallMs > 0.02) process.exitCode = 1;
  await settle(call, reader, first);
  server.close();
}

/** The parked jobs are still there, still `ready`, after the idle spell. */
async function settle(
  call: (path: string, init?: RequestInit) => Promise<Response>,
  reader: ReadableStreamDefaultReader<string>,
  first: string | undefined,
): Promise<void> {
  if (first !== undefined) {
    const { count } = (await (await call("/jobs/count?status=ready")).json()) as { count: number };
    if (count !== PARKED) throw new Error(`expected ${PARKED} parked ready jobs, found ${count}`);
  }
  await reader.cancel();
}

export async function run(): Promise<void> {
  await idleWith("no jobs (baseline)", undefined);
  await idleWith(`${PARKED.toLocaleString("en")} parked on a while_in_flight budget of 1 (waiting for an ack)`, {
    allocation: 1,
    strategy: { type: "while_in_flight" },
  });
  await idleWith(`${PARKED.toLocaleString("en")} parked on a time_based budget of 1 per hour (waiting for the drip)`, {
    allocation: 1,
    strategy: { type: "time_based", duration_ms: 3_600_000 },
  });
}
