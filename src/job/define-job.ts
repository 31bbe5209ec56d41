import { ZizqArgumentError } from "../errors/argument-error.ts";
import { ENQUEUE_OPTION_KEYS, JOB_OPTION_KEYS, wireBackoff, wireBatch, wireRetention } from "../protocol/mapping/enqueue.ts";
import { UNIQUE_SCOPES } from "../protocol/wire.ts";
import type { EnqueueOptions, JobOptions } from "../types/enqueue.ts";
import type { BatchConfig, UniqueWhile } from "../types/job.ts";
import { checkName } from "../protocol/names.ts";
import { checkKnownKeys, checkObject, checkOneOf, checkString, isObject, shown } from "../utils/arguments.ts";
import { integerIn } from "../utils/integer.ts";
import type { StandardSchemaV1 } from "./standard-schema.ts";
import { validatePayload } from "./validate.ts";

/**
 * How a job type derives its unique key (Zizq Pro).
 *
 * @example
 * ```ts
 * defineJob<{ invoiceId: string }>({ type: "charge", queue: "billing", unique: { key: (p) => `invoice:${p.invoiceId}`, while: "active" } });
 * ```
 */
export interface UniqueConfig<Input> {
  /** The key, or a function of the payload; `hashedKey()` hashes the payload like the Rust client. */
  key: string | ((payload: Input, job: { type: string }) => string | Promise<string>);
  /**
   * How long the key blocks duplicates.
   *
   * @default "queued" (the server's default)
   */
  while?: UniqueWhile;
}

/** Per-type defaults and behaviour, fixed when the job type is defined. */
export interface JobTypeOptions<Input> extends JobOptions {
  unique?: UniqueConfig<Input>;
  /**
   * Batched jobs (Zizq Pro): a fixed config, or one built from the payload (`collectBatch`
   * without a key builds one).
   *
   * @example
   * ```ts
   * defineJob<{ userId: string }>({ type: "digest", queue: "mail", batch: (p) => ({ key: `digest:${p.userId}`, when: "true", fold: "$existing + [$new]" }) });
   * ```
   */
  batch?: BatchConfig | ((payload: Input, job: { type: string }) => BatchConfig | Promise<BatchConfig>);
}

/** A job type: its name, queue, payload schema and defaults, shared by producers and handlers. */
export interface JobDefinition<Input = unknown, Output = Input> {
  readonly type: string;
  readonly queue: string;
  readonly schema: StandardSchemaV1<Input, Output> | undefined;
  readonly options: Readonly<JobTypeOptions<Input>>;
  /** One job of this type with its options, for `enqueueBulk` and cron templates. */
  with(payload: Input, options?: EnqueueOptions): JobRequest<Input, Output>;
  /** Checks a payload against the schema; throws `ZizqValidationError` naming the path. */
  validate(payload: unknown): Promise<Output>;
}

/** One job to enqueue: a definition, a payload and per-call options. */
export interface JobRequest<Input = unknown, Output = Input> {
  readonly definition: JobDefinition<Input, Output>;
  readonly payload: Input;
  readonly options: EnqueueOptions;
}

/**
 * What `defineJob` takes: the type's name and queue, its schema and its defaults. Every default
 * left out is the server's (see `JobOptions`).
 */
export interface DefineJobConfig<Input> extends JobTypeOptions<Input> {
  /** The job type name the server stores and routes on. */
  type: string;
  queue: string;
}

/**
 * Defines a job type. With a schema (any Standard Schema: valibot, zod, arktype, ...) the
 * payload type flows from it to `client.enqueue` and to the handler; without one, name the
 * payload type: `defineJob<{ id: string }>({ type, queue })`.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 *
 * const SendEmail = defineJob({
 *   type: "send_email",
 *   queue: "emails",
 *   schema: v.object({ to: v.pipe(v.string(), v.email()) }),
 *   retryLimit: 5,
 * });
 * await client.enqueue(SendEmail, { to: "a@example.com" });
 * ```
 */
export function defineJob<Schema extends StandardSchemaV1>(
  config: DefineJobConfig<StandardSchemaV1.InferInput<Schema>> & { schema: Schema },
): JobDefinition<StandardSchemaV1.InferInput<Schema>, StandardSchemaV1.InferOutput<Schema>>;
export function defineJob<Payload = unknown>(config: DefineJobConfig<Payload>): JobDefinition<Payload, Payload>;
export function defineJob<Input, Output>(
  config: DefineJobConfig<Input> & { schema?: StandardSchemaV1<Input, Output> },
): JobDefinition<Input, Output> {
  if (!isObject(config)) throw new ZizqArgumentError("config", `expected the job type's options, got ${shown(config)}`);
  checkKnownKeys("config", config, CONFIG_KEYS);
  const { type, queue, schema, ...options } = config;
  checkName("type", type);
  checkName("queue", queue);
  if (schema !== undefined && typeof schema?.["~standard"]?.validate !== "function") {
    throw new ZizqArgumentError("schema", "expected a Standard Schema (valibot, zod, arktype, ...)");
  }
  checkJobOptions(options, "");
  checkObject("unique", options.unique);
  if (options.unique) {
    if (typeof options.unique.key !== "string" && typeof options.unique.key !== "function") {
      throw new ZizqArgumentError("unique.key", `expected a string or a function of the payload, got ${shown(options.unique.key)}`);
    }
    checkOneOf("unique.while", options.unique.while, UNIQUE_SCOPES);
  }
  if (options.batch !== undefined && typeof options.batch !== "function") wireBatch(options.batch, "batch");
  const definition: JobDefinition<Input, Output> = {
    type,
    queue,
    schema,
    options,
    with: (payload, enqueueOptions = {}) => {
      checkObject("options", enqueueOptions, true);
      checkKnownKeys("options", enqueueOptions as Record<string, unknown>, ENQUEUE_OPTION_KEYS);
      checkJobOptions(enqueueOptions, "options.");
      checkString("options.uniqueKey", enqueueOptions.uniqueKey);
      checkOneOf("options.uniqueWhile", enqueueOptions.uniqueWhile, UNIQUE_SCOPES);
      if (enqueueOptions.batch !== undefined) wireBatch(enqueueOptions.batch, "options.batch");
      if (enqueueOptions.readyAt !== undefined && enqueueOptions.delay !== undefined) {
        throw new ZizqArgumentError("options.delay", "give readyAt or delay, not both");
      }
      return { definition, payload, options: enqueueOptions };
    },
    validate: (payload) =>
      schema ? validatePayload(type, schema as StandardSchemaV1<unknown, Output>, payload) : Promise.resolve(payload as Output),
  };
  return Object.freeze(definition);
}

/** Every key of `defineJob`'s config: a snake_case `retry_limit` is refused, not ignored. */
const CONFIG_KEYS = ["type", "queue", "schema", "unique", "batch", ...JOB_OPTION_KEYS] as const satisfies readonly (keyof DefineJobConfig<unknown> | "schema")[];

/** Whether `value` is a job type from `defineJob`. */
export function isJobDefinition(value: unknown): value is JobDefinition<unknown, unknown> {
  return isObject(value) && typeof value.with === "function" && typeof value.validate === "function" && typeof value.type === "string";
}

/** What the server would refuse with a 400 after the request was sent; `prefix` is "" or "options.". */
function checkJobOptions(options: JobOptions, prefix: string): void {
  integerIn(`${prefix}priority`, options.priority, 0, 0xffff);
  integerIn(`${prefix}retryLimit`, options.retryLimit, 0, 0xffff_ffff);
  if (options.backoff !== undefined) wireBackoff(options.backoff, `${prefix}backoff`);
  if (options.retention !== undefined) wireRetention(options.retention, `${prefix}retention`);
  // Each binding is checked on enqueue, before anything is sent: the checks load with the first budgeted job.
  if (options.budgets !== undefined && !Array.isArray(options.budgets)) {
    throw new ZizqArgumentError(`${prefix}budgets`, `expected an array of { key, cost?, createWith? }, got ${shown(options.budgets)}`);
  }
}
