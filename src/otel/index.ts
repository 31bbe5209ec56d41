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
export { DEFAULT_TRACE_FIELD, MAX_FOLDED_CARRIERS } from "./carrier.ts";
export { zizqOtel, type ZizqOtelOptions } from "./instrumentation.ts";
