/**
 * `npm run bench -- <name...>`: runs the named benchmarks (all when none is named).
 * Figures drift on shared machines; compare ratios measured in the same run.
 */
const benches: Record<string, () => Promise<void>> = {
  server: async () => (await import("./server.ts")).run(),
  client: async () => (await import("./client.ts")).run(),
  msgpack: async () => (await import("./msgpack.ts")).run(),
  worker: async () => (await import("./worker.ts")).run(),
  otel: async () => (await import("./otel.ts")).run(),
  push: async () => (await import("./push.ts")).run(),
  replies: async () => (await import("./replies.ts")).run(),
  parked: async () => (await import("./parked.ts")).run(),
  h2: async () => (await import("./h2.ts")).run(),
  dashboard: async () => (await import("./dashboard.ts")).run(),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(", ")} (known: ${Object.keys(benches).join(", ")})`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : Object.keys(benches)) {
  console.log(`# ${name}`);
  await benches[name]?.();
}
