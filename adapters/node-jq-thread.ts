/**
 * The test server's `jqThread` for Node: jq-web on a `worker_threads` worker, so a payload
 * filter that never ends can be stopped while the server keeps answering.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { JqThread } from "../src/testing/payload-filter.ts";

// CommonJS, evaluated as the worker's script: jq-web is CommonJS, and an inline script needs no
// file of its own next to the built adapter.
const SCRIPT = `
const { parentPort, workerData } = require("node:worker_threads");
// jq's messages come back in the failure; what jq-web's runtime prints itself ("Aborted()" when
// jq runs out of memory) would only reach the host's stderr.
console.error = console.warn = () => undefined;
require(workerData.jqWeb).then((jq) => {
  parentPort.on("message", ({ id, input, program }) => {
    try {
      parentPort.postMessage({ id, out: jq.raw(input, program, ["-c"]) });
    } catch (error) {
      const failure = { exitCode: error.exitCode, stderr: error.stderr, message: String(error.message) };
      parentPort.postMessage({ id, failure });
    }
  });
  parentPort.postMessage({ ready: true });
});
`;

type Reply = { ready: true } | { id: number; out?: string; failure?: object };

/**
 * Starts a worker thread running jq: `createTestServer({ jqThread: nodeJqThread })`. The worker
 * does not keep the process alive on its own.
 */
export function nodeJqThread(): Promise<JqThread> {
  const worker = new Worker(SCRIPT, { eval: true, workerData: { jqWeb: createRequire(import.meta.url).resolve("jq-web") } });
  worker.unref();
  const calls = new Map<number, { resolve(out: string | undefined): void; reject(reason: unknown): void }>();
  let nextId = 0;
  const thread: JqThread = {
    run: (input, program) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        calls.set(id, { resolve, reject });
        worker.postMessage({ id, input, program });
      }),
    terminate: () => void worker.terminate(),
  };
  return new Promise((resolve, reject) => {
    const broken = (error: Error) => {
      reject(error);
      for (const call of calls.values()) call.reject(error);
      calls.clear();
    };
    worker.on("message", (reply: Reply) => {
      if ("ready" in reply) return resolve(thread);
      const call = calls.get(reply.id);
      calls.delete(reply.id);
      if (reply.failure) call?.reject(reply.failure);
      else call?.resolve(reply.out);
    });
    worker.on("error", broken);
    worker.on("exit", (code) => broken(new Error(`jq thread exited with code ${code}`)));
  });
}
