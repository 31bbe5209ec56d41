import { ZizqArgumentError } from "../errors/argument-error.ts";
import { nameError } from "../protocol/names.ts";
import type { BatchConfig, Duration, Instant, UniqueWhile } from "../client/types.ts";
import type { StandardSchemaV1 } from "./standard-schema.ts";
import { validatePayload } from "./validate.ts";

/** A backoff given by hand: the base and jitter may be durations such as `"15s"`. */
export interface BackoffInput {
  exponent: number;
  baseMs: Duration;
  jitterMs: Duration;
}

/** Retention given by hand; 0 removes finished jobs at once. */
export interface RetentionInput {
  completedMs?: Duration;
  deadMs?: Duration;
}

/** Options shared by a job type's defaults and a single enqueue. */
export interface JobOptions {
  /** 0 (first) to 65535 (last); the server's default is 32768. */
  priority?: number;
  /** Retries after the first failure; 0 means the first failure kills the job. */
  retryLimit?: number;
  backoff?: BackoffInput;
  retention?: RetentionInput;
}

/** How a job type derives its unique key (Zizq Pro). */
export interface UniqueConfig<Input> {
  /** The key, or a function of the payload; `hashedKey()` hashes the payload like the Rust client. */
  key: string | ((payload: Input, job: { type: string }) => string | Promise<string>);
  /** How long the key blocks duplicates; the server's default is `"queued"`. */
  while?: UniqueWhile;
}

/** Per-type defaults and behaviour, fixed when the job type is defined. */
export interface JobTypeOptions<Input> extends JobOptions {
  unique?: UniqueConfig<Input>;
  /** Batched jobs (Zizq Pro): a fixed config, or one built from the payload. */
  batch?: BatchConfig | ((payload: Input) => BatchConfig);
}

/** Options of one enqueue; they override the job type's defaults. */
export interface EnqueueOptions extends JobOptions {
  /** When the job becomes ready. Past values are kept as given (the job is ready at once). */
  readyAt?: Instant;
  /** Ready this long from now; an alternative to `readyAt`. */
  delay?: Duration;
  uniqueKey?: string;
  uniqueWhile?: UniqueWhile;
  batch?: BatchConfig;
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

/** What `defineJob` takes: the type's name and queue, its schema and its defaults. */
export interface DefineJobConfig<Input> extends JobTypeOptions<Input> {
  /** The job type name the server stores and routes on. */
  type: string;
  queue: string;
}

/**
 * Defines a job type. With a schema (any Standard Schema: valibot, zod, arktype, ...) the
 * payload type flows from it to `client.enqueue` and to the handler; without one, name the
 * payload type: `defineJob<{ id: string }>({ type, queue })`.
 */
export function defineJob<Schema extends StandardSchemaV1>(
  config: DefineJobConfig<StandardSchemaV1.InferInput<Schema>> & { schema: Schema },
): JobDefinition<StandardSchemaV1.InferInput<Schema>, StandardSchemaV1.InferOutput<Schema>>;
export function defineJob<Payload = unknown>(config: DefineJobConfig<Payload>): JobDefinition<Payload, Payload>;
export function defineJob<Input, Output>(
  config: DefineJobConfig<Input> & { schema?: StandardSchemaV1<Input, Output> },
): JobDefinition<Input, Output> {
  const { type, queue, schema, ...options } = config;
  checkName("type", type);
  checkName("queue", queue);
  checkJobOptions(options, "defineJob");
  const definition: JobDefinition<Input, Output> = {
    type,
    queue,
    schema,
    options,
    with: (payload, enqueueOptions = {}) => {
      checkJobOptions(enqueueOptions, "options");
      return { definition, payload, options: enqueueOptions };
    },
    validate: (payload) =>
      schema ? validatePayload(type, schema as StandardSchemaV1<unknown, Output>, payload) : Promise.resolve(payload as Output),
  };
  return Object.freeze(definition);
}

function checkName(field: string, value: unknown): void {
  if (typeof value !== "string") throw new ZizqArgumentError(field, `expected a string, got ${typeof value}`);
  const error = nameError(field, value);
  if (error) throw new ZizqArgumentError(field, error.slice(field.length + 1));
}

function checkInteger(field: string, value: number | undefined, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new ZizqArgumentError(field, `expected an integer from 0 to ${max}, got ${value}`);
  }
}

/** Range checks the server would otherwise answer with a 400 after the request was sent. */
function checkJobOptions(options: JobOptions & { readyAt?: unknown; delay?: unknown }, where: string): void {
  checkInteger(`${where}.priority`, options.priority, 0xffff);
  checkInteger(`${where}.retryLimit`, options.retryLimit, 0xffff_ffff);
  if (options.readyAt !== undefined && options.delay !== undefined) {
    throw new ZizqArgumentError(`${where}.delay`, "give readyAt or delay, not both");
  }
}
