/**
 * zizq-edge: a client for the Zizq job queue that needs only `fetch`, web streams and Web Crypto.
 *
 * @module zizq-edge
 */
export { SUPPORTED_MAJOR } from "./client/version.ts";
export { Client, type ClientOptions, type RawJob } from "./client/client.ts";
export type { Format } from "./client/codec.ts";
export { budgetCapacity, Budgets } from "./client/budgets.ts";
export { type CronEntryInput, type CronGroupInput, Crons } from "./client/crons.ts";
export { ErrorQuery, JobQuery } from "./client/query.ts";
export { payloadContains, payloadMatches } from "./client/payload-match.ts";
export { Sequence } from "./client/sequence.ts";
export type { TakeOptions } from "./client/take.ts";
export type { RetryPolicy } from "./client/retries.ts";
export type * from "./types/index.ts";
export * from "./errors/index.ts";
export {
  defineJob,
  type DefineJobConfig,
  type JobDefinition,
  type JobRequest,
  type JobTypeOptions,
  type UniqueConfig,
} from "./job/define-job.ts";
export type { StandardSchemaV1 } from "./job/standard-schema.ts";
export { type BatchFromPayload, type CollectBatchOptions, collectBatch } from "./job/collect-batch.ts";
export { canonicalJson } from "./unique-key/canonical-json.ts";
export { type Hasher, hashedKey, uniqueKey, type UniqueKeyOptions } from "./unique-key/hash.ts";
export { AckBatcher } from "./processing/ack-batcher.ts";
export type { AckBatcherCloseOptions, AckBatcherOptions, AckPort } from "./processing/ack-options.ts";
export { NonRetryableError, RetryAfterError } from "./processing/handler-errors.ts";
export type { LogMethod, Logger, LoggerOption } from "./utils/logger.ts";
export type { Outcome } from "./processing/outcome.ts";
export { type Dispatcher, type DispatchContext, type FallbackHandler, type Handler, type HandlerContext, Router } from "./processing/router.ts";
export { JobTimeoutError, StreamLostError, WorkerStoppedError } from "./worker/abort-reasons.ts";
export { Worker } from "./worker/worker.ts";
export type { DrainOptions, DrainSummary } from "./worker/drain.ts";
export type { WorkerStats } from "./worker/stats.ts";
export { type HealthOptions, healthHandler } from "./worker/health.ts";
export type { Instrumentation, OutgoingJob } from "./processing/instrumentation.ts";
export type { StopOptions } from "./worker/stop.ts";
export type { ReconnectPolicy, WorkerHooks, WorkerInstrumentation, WorkerOptions } from "./worker/worker-options.ts";
export { type RunWorkerOptions, runUntilSignalled, type SignalSource } from "./worker/signals.ts";
export { createRelay, type DeliveryStats, PushDelivery, Relay, type RelayDeliveryOptions, type RelayOptions } from "./relay/relay.ts";
