/**
 * zizq-edge: a runtime-neutral client for the Zizq job queue.
 *
 * The client, jobs, router and worker land here; for now the core exports the protocol's
 * wire shapes and media types, which the test server in `zizq-edge/testing` speaks.
 */
export { MEDIA, STREAM_TYPES, UNARY_TYPES } from "./protocol/media.ts";
export type * from "./protocol/wire.ts";
export { JOB_STATUSES, UNIQUE_SCOPES } from "./protocol/wire.ts";
