/**
 * What each Zizq endpoint answers, checked on every reply before the client trusts it: a proxy's
 * `200 text/html`, an empty body or a wrongly typed field must fail loudly, never read as a job
 * without an id. Hand-written per shape, a few `typeof`s each, since they run on every enqueue
 * and every take frame. Optional keys may be absent but not of another type; keys this client
 * does not know are passed over, so a newer server's additions do no harm. An optional key that
 * is null counts as absent, as Zizq reads its own request bodies.
 */
import { isObject } from "../utils/arguments.ts";
import { MEDIA } from "./media.ts";
import type {
  WireBudget,
  WireBudgetChange,
  WireCronEntry,
  WireCronGroup,
  WireErrorPage,
  WireErrorRecord,
  WireJob,
  WireJobPage,
} from "./wire.ts";

/** Where a reply differs from its shape. */
export interface Mismatch {
  /** The field at fault, such as `jobs[3].id`; empty for the reply as a whole. */
  path: string;
  /** What belongs there: "a string", "a job object". */
  expected: string;
  got: unknown;
}

/** One endpoint's answer: its name in messages, and the check of a decoded body. `Body` is what it proves. */
export interface ReplyShape<Body> {
  readonly name: string;
  check(body: unknown): Mismatch | undefined;
  /** Never set: carries `Body` so a call's reply type follows from its shape. */
  readonly body?: Body;
}

type Fields = Record<string, unknown>;
/** A decoded body that may turn out to be `T`: its keys, each of unknown type. */
type WireFields<T> = { [K in keyof T]?: unknown } & Fields;
type Check = (value: unknown) => Mismatch | undefined;

const mismatch = (path: string, expected: string, got: unknown): Mismatch => ({ path, expected, got });

/** `inner`'s mismatch, placed under `prefix`. */
function under(prefix: string, inner: Mismatch | undefined): Mismatch | undefined {
  return inner && { ...inner, path: inner.path === "" ? prefix : `${prefix}.${inner.path}` };
}

const string = (o: Fields, key: string) => (typeof o[key] === "string" ? undefined : mismatch(key, "a string", o[key]));
const number = (o: Fields, key: string) => (typeof o[key] === "number" ? undefined : mismatch(key, "a number", o[key]));
const boolean = (o: Fields, key: string) => (typeof o[key] === "boolean" ? undefined : mismatch(key, "a boolean", o[key]));
const optString = (o: Fields, key: string) => (o[key] == null ? undefined : string(o, key));
const optNumber = (o: Fields, key: string) => (o[key] == null ? undefined : number(o, key));
const optObject = (o: Fields, key: string, check: Check) => (o[key] == null ? undefined : under(key, check(o[key])));

/** An object whose fields pass `fields`. */
function object(expected: string, fields: (o: Fields) => Mismatch | undefined): Check {
  return (value) => (isObject(value) ? fields(value) : mismatch("", expected, value));
}

/** An array under `key` whose items all pass `item`. */
function array(o: Fields, key: string, item: Check): Mismatch | undefined {
  const items = o[key];
  if (!Array.isArray(items)) return mismatch(key, "an array", items);
  for (let i = 0; i < items.length; i++) {
    const wrong = item(items[i]);
    if (wrong) return under(`${key}[${i}]`, wrong);
  }
  return undefined;
}

const aString: Check = (value) => (typeof value === "string" ? undefined : mismatch("", "a string", value));

const backoff = object("an object", (o) => number(o, "exponent") ?? number(o, "base_ms") ?? number(o, "jitter_ms"));
const retention = object("an object", (o) => optNumber(o, "completed_ms") ?? optNumber(o, "dead_ms"));
const batch = object("an object", (o) => string(o, "key") ?? string(o, "when") ?? string(o, "fold"));
const budgetBinding = object("a budget binding", (o) => string(o, "key") ?? number(o, "cost"));
/** A job's or template's bindings: Zizq 0.7 leaves the key out when there are none. */
const optBindings = (o: Fields) => (o.budgets == null ? undefined : array(o, "budgets", budgetBinding));

/** A strategy of a type this client does not know passes with its name: a newer server's. */
const budgetStrategy = object("a budget strategy", (o) =>
  string(o, "type") ?? (o.type === "time_based" ? number(o, "duration_ms") : optNumber(o, "duration_ms")) ?? optNumber(o, "burst"),
);
const budget = object("a budget", (o) =>
  string(o, "key") ?? number(o, "allocation") ?? under("strategy", budgetStrategy(o.strategy)) ?? number(o, "created_at") ?? number(o, "updated_at"),
);

/**
 * A job's fields; `payload` must be present (it may be null) where the endpoint sends it. Written
 * out key by key, unlike the other shapes: a constant key is a fast property load, while `o[key]`
 * in a helper shared by every key is a slow generic one, and this runs on every take frame.
 */
function jobFields(o: WireFields<WireJob>, payload: boolean): Mismatch | undefined {
  if (typeof o.id !== "string") return mismatch("id", "a string", o.id);
  if (typeof o.type !== "string") return mismatch("type", "a string", o.type);
  if (typeof o.queue !== "string") return mismatch("queue", "a string", o.queue);
  if (typeof o.priority !== "number") return mismatch("priority", "a number", o.priority);
  if (typeof o.status !== "string") return mismatch("status", "a string", o.status);
  if (payload && o.payload === undefined) return mismatch("payload", "a payload", undefined);
  if (typeof o.ready_at !== "number") return mismatch("ready_at", "a number", o.ready_at);
  if (typeof o.attempts !== "number") return mismatch("attempts", "a number", o.attempts);
  if (o.retry_limit != null && typeof o.retry_limit !== "number") return mismatch("retry_limit", "a number", o.retry_limit);
  if (o.backoff != null) return under("backoff", backoff(o.backoff)) ?? optionalJobFields(o);
  return optionalJobFields(o);
}

/** The job's optional fields after `backoff`, which most jobs leave out. */
function optionalJobFields(o: WireFields<WireJob>): Mismatch | undefined {
  if (o.dequeued_at != null && typeof o.dequeued_at !== "number") return mismatch("dequeued_at", "a number", o.dequeued_at);
  if (o.failed_at != null && typeof o.failed_at !== "number") return mismatch("failed_at", "a number", o.failed_at);
  if (o.retention != null) {
    const wrong = under("retention", retention(o.retention));
    if (wrong) return wrong;
  }
  if (o.purge_at != null && typeof o.purge_at !== "number") return mismatch("purge_at", "a number", o.purge_at);
  if (o.completed_at != null && typeof o.completed_at !== "number") return mismatch("completed_at", "a number", o.completed_at);
  if (o.unique_key != null && typeof o.unique_key !== "string") return mismatch("unique_key", "a string", o.unique_key);
  if (o.unique_while != null && typeof o.unique_while !== "string") return mismatch("unique_while", "a string", o.unique_while);
  if (o.batch != null) {
    const wrong = under("batch", batch(o.batch));
    if (wrong) return wrong;
  }
  return optBindings(o);
}

const job = object("a job object", (o) => jobFields(o, false));
const jobWithPayload = object("a job object", (o) => jobFields(o, true));
const enqueued = object("a job object", (o: WireFields<WireJob>) => {
  if (typeof o.duplicate !== "boolean") return mismatch("duplicate", "a boolean", o.duplicate);
  if (typeof o.folded !== "boolean") return mismatch("folded", "a boolean", o.folded);
  return jobFields(o, false);
});

const errorRecord = object("an error record", (o) =>
  number(o, "attempt") ??
  string(o, "message") ??
  optString(o, "error_type") ??
  optString(o, "backtrace") ??
  number(o, "dequeued_at") ??
  number(o, "failed_at"),
);

/** A page link: a path the next request goes to, or null. */
const link = (o: Fields, key: string) => {
  const value = o[key];
  return value === null || (typeof value === "string" && value.startsWith("/")) ? undefined : mismatch(key, "a path or null", value);
};
const pages = object("an object", (o) => string(o, "self") ?? link(o, "next") ?? link(o, "prev"));

const cronTemplate = object("a job template", (o) =>
  string(o, "type") ??
  string(o, "queue") ??
  number(o, "priority") ??
  (o.payload === undefined ? mismatch("payload", "a payload", undefined) : undefined) ??
  optNumber(o, "retry_limit") ??
  optObject(o, "backoff", backoff) ??
  optObject(o, "retention", retention) ??
  optString(o, "unique_key") ??
  optString(o, "unique_while") ??
  optObject(o, "batch", batch) ??
  optBindings(o),
);

const cronEntryFields = (o: Fields) =>
  string(o, "name") ??
  string(o, "expression") ??
  optString(o, "timezone") ??
  boolean(o, "paused") ??
  optNumber(o, "paused_at") ??
  optNumber(o, "resumed_at") ??
  under("job", cronTemplate(o.job)) ??
  optNumber(o, "next_enqueue_at") ??
  optNumber(o, "last_enqueue_at");
const cronEntry = object("a cron entry", cronEntryFields);

function shape<Body>(name: string, check: Check): ReplyShape<Body> {
  return { name, check };
}

/** A body that is one object with one field of `field`'s kind under `key`. */
function single<Body>(name: string, key: string, field: (o: Fields, key: string) => Mismatch | undefined): ReplyShape<Body> {
  return shape(name, object(name, (o) => field(o, key)));
}

const strings = (o: Fields, key: string) => array(o, key, aString);

function bulkEnqueued(count: number): ReplyShape<{ jobs: WireJob[] }> {
  const name = `a list of ${count} enqueued jobs`;
  return shape(
    name,
    object(name, (o) => {
      const jobs = o.jobs;
      if (Array.isArray(jobs) && jobs.length !== count) return mismatch("jobs", `an array of ${count}`, jobs);
      return array(o, "jobs", enqueued);
    }),
  );
}

/** The reply checks: the transport loads them with the first request, so a producer's bundle carries none of them. */
export interface Replies {
  readonly none: ReplyShape<unknown>;
  readonly job: ReplyShape<WireJob>;
  readonly jobWithPayload: ReplyShape<WireJob>;
  readonly enqueued: ReplyShape<WireJob>;
  readonly errorRecord: ReplyShape<WireErrorRecord>;
  readonly jobPage: ReplyShape<WireJobPage>;
  readonly errorPage: ReplyShape<WireErrorPage>;
  readonly count: ReplyShape<{ count: number }>;
  readonly patched: ReplyShape<{ patched: number }>;
  readonly deleted: ReplyShape<{ deleted: number }>;
  readonly queues: ReplyShape<{ queues: string[] }>;
  readonly crons: ReplyShape<{ crons: string[] }>;
  readonly notFound: ReplyShape<{ not_found: string[] }>;
  readonly health: ReplyShape<{ status: string }>;
  readonly version: ReplyShape<{ version: string }>;
  /** The answer to a bulk enqueue of `count` jobs: one job per request, in order. */
  readonly enqueuedJobs: (count: number) => ReplyShape<{ jobs: WireJob[] }>;
  readonly cronEntry: ReplyShape<WireCronEntry>;
  readonly cronGroup: ReplyShape<WireCronGroup>;
  readonly budget: ReplyShape<WireBudget>;
  readonly budgets: ReplyShape<{ budgets: WireBudget[] }>;
  readonly budgetChange: ReplyShape<WireBudgetChange>;
}

/** Every endpoint's answer, by name. */
export const REPLIES: Replies = {
  /**
   * Zizq's 204s (acks, deletes, reset) carry no body. One with a body is not Zizq's answer (a
   * catch-all proxy's `200 {}`): taking it for one would count acks as landed that never were.
   */
  none: shape<unknown>("no content", (body) => (body === undefined ? undefined : mismatch("", "no content", body))),
  job: shape<WireJob>("a job object", job),
  jobWithPayload: shape<WireJob>("a job object", jobWithPayload),
  enqueued: shape<WireJob>("an enqueued job", enqueued),
  errorRecord: shape<WireErrorRecord>("an error record", errorRecord),
  jobPage: shape<WireJobPage>("a page of jobs", object("a page of jobs", (o) => array(o, "jobs", jobWithPayload) ?? under("pages", pages(o.pages)))),
  errorPage: shape<WireErrorPage>("a page of errors", object("a page of errors", (o) => array(o, "errors", errorRecord) ?? under("pages", pages(o.pages)))),
  count: single<{ count: number }>("a count", "count", number),
  patched: single<{ patched: number }>("a patch count", "patched", number),
  deleted: single<{ deleted: number }>("a delete count", "deleted", number),
  queues: single<{ queues: string[] }>("a queue list", "queues", strings),
  crons: single<{ crons: string[] }>("a cron group list", "crons", strings),
  notFound: single<{ not_found: string[] }>("a list of ids not in flight", "not_found", strings),
  health: single<{ status: string }>("a health status", "status", string),
  version: single<{ version: string }>("a version", "version", string),
  enqueuedJobs: bulkEnqueued,
  cronEntry: shape<WireCronEntry>("a cron entry", cronEntry),
  cronGroup: shape<WireCronGroup>(
    "a cron group",
    object("a cron group", (o) =>
      string(o, "name") ??
      boolean(o, "paused") ??
      // Zizq 0.7's group timezone.
      optString(o, "timezone") ??
      optNumber(o, "paused_at") ??
      optNumber(o, "resumed_at") ??
      array(o, "entries", cronEntry),
    ),
  ),
  budget: shape<WireBudget>("a budget", budget),
  budgets: single<{ budgets: WireBudget[] }>("a budget list", "budgets", (o, key) => array(o, key, budget)),
  budgetChange: shape<WireBudgetChange>(
    "a budget change",
    // `blocked` may be left out when empty, as the Rust client allows.
    object("a budget change", (o) => number(o, "changed") ?? (o.blocked == null ? undefined : strings(o, "blocked"))),
  ),
};


/** Picks the shape of a call's answer out of the reply checks once they are loaded. */
export type PickReply<Body> = (replies: Replies) => ReplyShape<Body>;

/** Whether a unary reply's Content-Type is one Zizq answers in. */
function isReplyMedia(contentType: string | null): boolean {
  return contentType !== null && (contentType.includes(MEDIA.json) || contentType.includes(MEDIA.msgpack));
}

/**
 * What is wrong with a decoded reply, as a sentence for a `ZizqDecodeError`, or undefined when
 * it has the endpoint's shape. `body` is undefined for an empty body, the text of one in a media
 * type other than JSON or MessagePack. `contentType` is asked for only when there is a body: an
 * ack's 204 needs no headers read.
 */
export function replyProblem<Body>(expected: ReplyShape<Body>, body: unknown, contentType: () => string | null): string | undefined {
  if (body !== undefined) {
    const type = contentType();
    if (!isReplyMedia(type)) return `expected ${expected.name}, got ${type ?? "a body without a content type"}`;
  }
  return shapeProblem(expected, body);
}

/** Where a decoded body differs from `expected`, said in words; undefined when it fits. */
export function shapeProblem<Body>(expected: ReplyShape<Body>, body: unknown): string | undefined {
  const wrong = expected.check(body);
  return wrong && describeMismatch(expected.name, wrong);
}

/** `expected a job object with a string "id", got 42`. */
function describeMismatch(name: string, wrong: Mismatch): string {
  const what = wrong.path === "" ? name : `${name} with ${wrong.expected} "${wrong.path}"`;
  const got = wrong.got === undefined && wrong.path === "" ? "an empty body" : describe(wrong.got);
  return `expected ${what}, got ${got}`;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? "an empty array" : `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return `${String(value)} (${typeof value})`;
}
