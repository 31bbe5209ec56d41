/**
 * `npm run size`: bundles the producer an edge function ships (Client, defineJob, enqueue and
 * a valibot schema) for the browser/workerd target with rolldown (the bundler
 * under Vite), minified, and fails above the budget.
 *
 * What loads on first use (queries, acks and admin calls, cron, take streams, MessagePack, ky as
 * the retry engine of calls safe to repeat, error classes) sits in chunks a producer never
 * fetches; the payload walker loads with the first enqueue, before its request is sent. The
 * budgeted figure is the entry chunk plus every chunk it imports statically; the whole library
 * as one file is printed for comparison.
 */
import { gzipSync } from "node:zlib";
import { type OutputChunk, rolldown } from "rolldown";

const BUDGET_BYTES = 10_000;
const producer = new URL("./size/producer.ts", import.meta.url).pathname;

async function bundle(split: boolean): Promise<OutputChunk[]> {
  const build = await rolldown({
    input: producer,
    platform: "browser",
    resolve: { conditionNames: ["workerd", "worker", "browser", "import", "default"] },
    // package.json says "sideEffects": false; a user's bundler reads it from there.
    treeshake: { moduleSideEffects: false },
  });
  const { output } = await build.generate({ format: "esm", minify: true, codeSplitting: split });
  return output.filter((item): item is OutputChunk => item.type === "chunk");
}

const size = (chunks: OutputChunk[]) => {
  const joined = Buffer.concat(chunks.map((chunk) => Buffer.from(chunk.code)));
  return { min: joined.length, gz: gzipSync(joined, { level: 9 }).length };
};

const chunks = await bundle(true);
const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
const eager = new Set<string>();
const visit = (name: string) => {
  if (eager.has(name)) return;
  eager.add(name);
  for (const imported of byName.get(name)?.imports ?? []) visit(imported);
};
for (const chunk of chunks) if (chunk.isEntry) visit(chunk.fileName);

const loaded = size(chunks.filter((chunk) => eager.has(chunk.fileName)));
const later = size(chunks.filter((chunk) => !eager.has(chunk.fileName)));
const whole = size(await bundle(false));
if (chunks.some((chunk) => eager.has(chunk.fileName) && chunk.moduleIds.some((id) => id.includes("@msgpack")))) {
  throw new Error("MessagePack is loaded eagerly by the producer");
}
console.log(`producer bundle: ${loaded.min} B min, ${loaded.gz} B min+gz (budget ${BUDGET_BYTES} B)`);
console.log(`loaded on first use: ${later.min} B min, ${later.gz} B min+gz; everything in one file: ${whole.gz} B min+gz`);
if (loaded.gz > BUDGET_BYTES) {
  console.error(`over budget by ${loaded.gz - BUDGET_BYTES} B`);
  process.exit(1);
}
