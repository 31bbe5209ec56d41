/**
 * `npm start`: the main demo. Starts the embedded in-memory Zizq server on a loopback port
 * (or uses the real server at ZIZQ_URL), enqueues a few jobs, streams them from
 * `GET /jobs/take`, acknowledges them in one bulk ack, and prints each step.
 */
import { serve } from "../adapters/node.ts";
import { createTestServer } from "../src/testing/index.ts";

const JSON_HEADERS = { "content-type": "application/json" };

async function main(): Promise<void> {
  const external = process.env.ZIZQ_URL;
  const embedded = external ? undefined : createTestServer();
  const handle = embedded ? await serve(embedded) : undefined;
  const base = external ?? handle?.url ?? "";
  console.log(external ? `Using the Zizq server at ${base}` : `Embedded Zizq test server listening on ${base}`);

  try {
    const call = async (path: string, init?: RequestInit) => {
      const response = await fetch(`${base}${path}`, init);
      if (!response.ok) throw new Error(`${init?.method ?? "GET"} ${path}: ${response.status} ${await response.text()}`);
      return response;
    };

    const emails = ["ada@example.com", "grace@example.com", "linus@example.com"];
    const jobs = emails.map((to, i) => ({ type: "send_email", queue: "demo", priority: 100 + i, payload: { to } }));
    const enqueued = (await (await call("/jobs/bulk", { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ jobs }) })).json()) as {
      jobs: Array<{ id: string; status: string }>;
    };
    for (const job of enqueued.jobs) console.log(`enqueued ${job.id} (${job.status})`);

    const stream = await call(`/jobs/take?queue=demo&prefetch=${jobs.length}`);
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    const taken: string[] = [];
    let buffered = "";
    while (taken.length < jobs.length) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the take stream ended early");
      buffered += value;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines.filter((l) => l !== "")) {
        const job = JSON.parse(line) as { id: string; type: string; payload: { to: string }; attempts: number };
        console.log(`took     ${job.id} ${job.type} -> ${job.payload.to} (attempt ${job.attempts + 1})`);
        taken.push(job.id);
      }
    }

    await call("/jobs/success", { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ ids: taken }) });
    console.log(`acked    ${taken.length} jobs in one bulk ack`);
    await reader.cancel();

    const { count } = (await (await call("/jobs/count?queue=demo")).json()) as { count: number };
    console.log(`jobs left in queue "demo": ${count}`);
  } finally {
    embedded?.close();
    await handle?.close();
  }
}

await main();
