/**
 * `zizq-edge/otel`: OpenTelemetry traces and metrics for Clients, Workers and push endpoints,
 * following the messaging semantic conventions, with the trace context carried in job payloads
 * when told to. Needs `@opentelemetry/api` (an optional peer); nothing else in zizq-edge loads it.
 *
 * @example
 * import { zizqOtel } from "zizq-edge/otel";
 *
 * const otel = zizqOtel({ propagate: true });
 * const client = new Client({ url, instrumentation: otel });
 * const worker = new Worker({ client, router, instrumentation: otel });
 *
 * @module zizq-edge/otel
 */
import { loadWithPeers } from "../utils/optional-peers.ts";
import type { WorkerInstrumentation } from "../worker/worker-options.ts";
import type { ZizqOtelOptions } from "./instrumentation.ts";

export { DEFAULT_TRACE_FIELD, MAX_FOLDED_CARRIERS } from "./carrier.ts";
export type { ZizqOtelOptions };

/** Without the API installed, importing this entry fails at once with what to install. */
const peers = { user: "zizq-edge/otel", packages: ["@opentelemetry/api"], install: "npm install @opentelemetry/api" };

const otel: typeof import("./instrumentation.ts") = await loadWithPeers(peers, () => import("./instrumentation.ts"));

/**
 * OpenTelemetry for a Client (spans around enqueues, the trace carrier written into payloads),
 * a Worker and a push endpoint (a span around each job, metrics of jobs, acks and streams):
 * pass the same object as their `instrumentation` option.
 *
 * @example
 * import { zizqOtel } from "zizq-edge/otel";
 *
 * const otel = zizqOtel({ propagate: true });
 * const client = new Client({ url, instrumentation: otel });
 * const worker = new Worker({ client, router, instrumentation: otel });
 */
export const zizqOtel: (options?: ZizqOtelOptions) => WorkerInstrumentation = otel.zizqOtel;
