import { type Context, Hono } from "hono";
import { nameError } from "../protocol/names.ts";
import type { BatchConfig } from "../client/types.ts";
import { UNIQUE_SCOPES } from "../protocol/wire.ts";
import { CronError, type CronBook, nextOccurrence } from "./cron/crons.ts";
import { acceptFormat, readBody, streamFormat } from "./http/negotiate.ts";
import {
  checkIds,
  checkLimit,
  COUNT_KEYS,
  LIST_KEYS,
  pageLink,
  parseUnsigned,
  query,
  QueryError,
  readFilter,
  readLimit,
  readOrder,
  readParams,
} from "./http/query.ts";
import * as body from "./http/requests.ts";
import { ApiError, fail, type Format, noContent, PlainError, plainText, respond } from "./http/respond.ts";
import { type Jq, JqError, loadJq } from "./jq.ts";
import { FilterTimeout, type PayloadFilter } from "./payload-filter.ts";
import type { JobFilter } from "./store/filter.ts";
import { jobView, type StoredJob } from "./store/job.ts";
import { InternalError, InvalidOperation, type JobStore, validateBatch } from "./store/store.ts";
import type { TakeHub } from "./take/hub.ts";
import type { Logger } from "../utils/logger.ts";
import type { License } from "./types.ts";

export interface AppDeps {
  store: JobStore;
  crons: CronBook;
  hub: TakeHub;
  license(): License;
  version: string;
  /** Where internal errors (500s) are reported. */
  log: Logger;
  /** jq for `filter` query parameters and the time check of batch dry runs, on a thread if given one. */
  payloadFilter: PayloadFilter;
  /** Clock-driven work (promotion, cron) brought up to date before each request. */
  catchUp(): void;
  /** Sets the timer for the next due job or cron entry after a request may have added one. */
  arm(): void;
}

type Feature = "unique jobs" | "batched jobs" | "cron scheduling";

type Handler = (c: Context) => Response | Promise<Response>;

/** Path segments as given: the server looks them up and never validates them. */
const param = (c: Context, name: string) => c.req.param(name) ?? "";

/** Axum's 405: an empty body and an `Allow` header; `GET` routes also answer `HEAD`. */
function methods(handlers: Partial<Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", Handler>>): Handler {
  const allow = Object.keys(handlers)
    .flatMap((method) => (method === "GET" ? ["GET", "HEAD"] : [method]))
    .join(",");
  return (c) => {
    const method = c.req.method === "HEAD" ? "GET" : c.req.method;
    const handler = handlers[method as keyof typeof handlers];
    if (!handler) return new Response(null, { status: 405, headers: { allow } });
    return handler(c);
  };
}

/** The Zizq 0.6.1 primary API as a Hono app. */
export function createApp(deps: AppDeps): Hono {
  const { store, crons, hub } = deps;
  const app = new Hono();

  const requireLicense = (format: Format, feature: Feature) => {
    const license = deps.license();
    if (license === "pro") return;
    const base = `${feature} requires a pro license`;
    throw new ApiError(403, { error: license === "expired" ? `License expired. ${base}.` : base }, format);
  };

  const jqFor = async (needed: boolean): Promise<Jq | undefined> => (needed ? loadJq() : undefined);

  app.use(async (_c, next) => {
    deps.catchUp();
    await next();
    deps.arm();
  });

  app.onError((error, c) => {
    const format: Format = tryFormat(c.req.raw);
    if (error instanceof ApiError) return respond(error.format ?? format, error.status, error.body);
    if (error instanceof PlainError) return plainText(error.status, error.message);
    deps.log.error("zizq test server: internal error", { error });
    const message = c.req.path.startsWith("/crons") ? "internal error" : "internal server error";
    return respond(format, 500, { error: message });
  });

  app.all("/health", methods({ GET: (c) => respond(acceptFormat(c.req.raw), 200, { status: "ok" }) }));
  app.all("/version", methods({ GET: (c) => respond(acceptFormat(c.req.raw), 200, { version: deps.version }) }));
  app.all("/queues", methods({ GET: (c) => respond(acceptFormat(c.req.raw), 200, { queues: store.queues() }) }));

  // --- enqueue ---

  const enqueueResponse = (format: Format, results: ReturnType<JobStore["enqueue"]>) =>
    results.map(({ job, duplicate, folded }) =>
      jobView(job, { msgpack: format === "msgpack", duplicate, folded }),
    );

  /**
   * The first item whose batch dry run would not end within the budget (see `PayloadFilter`),
   * with the error text: checked before the store dry-runs the batches on this thread. Checking
   * stops at the first batch the store will refuse anyway (compile or runtime error), so that
   * error keeps its place in line.
   */
  const endlessBatch = async (
    jq: Jq,
    items: Array<{ batch?: BatchConfig; payload: unknown }>,
  ): Promise<{ index: number; message: string } | undefined> => {
    for (const [index, { batch, payload }] of items.entries()) {
      if (!batch) continue;
      try {
        jq.compileBatch(batch.when);
        jq.compileBatch(batch.fold);
      } catch {
        return undefined;
      }
      const outcome = await deps.payloadFilter.dryRunBatch(batch, payload);
      if (outcome === "fails") return undefined;
      if (outcome !== "ends") return { index, message: `batch dry-run: ${outcome}` };
    }
    return undefined;
  };

  const runEnqueue = async (format: Format, inputs: body.EnqueueInput[]) => {
    const jq = await jqFor(inputs.some((input) => input.batch));
    const endless = jq && (await endlessBatch(jq, inputs));
    if (endless) throw fail(422, endless.message);
    try {
      return store.enqueue(inputs, jq);
    } catch (error) {
      if (error instanceof InvalidOperation) throw fail(422, error.message);
      throw error;
    }
  };

  const enqueue: Handler = async (c) => {
    const format = acceptFormat(c.req.raw);
    const input = await readBody(c.req.raw, format, body.enqueue);
    const bad = (message: string) => new ApiError(400, { error: message }, format);
    const badName = nameError("type", input.type) ?? nameError("queue", input.queue);
    if (badName) throw bad(badName);
    if (input.uniqueWhile !== undefined && input.uniqueKey === undefined) throw bad("unique_while requires unique_key");
    if (input.uniqueKey !== undefined && input.batch) throw bad("unique_key and batch cannot be combined");
    if (input.uniqueKey !== undefined) requireLicense(format, "unique jobs");
    if (input.batch) requireLicense(format, "batched jobs");
    const scopeError = uniqueWhileError(input.uniqueWhile);
    if (scopeError) throw bad(scopeError);
    const [result] = await runEnqueue(format, [input]);
    if (!result) throw new InternalError("enqueue returned nothing");
    const [view] = enqueueResponse(format, [result]);
    return respond(format, result.duplicate || result.folded ? 200 : 201, view);
  };

  app.all(
    "/jobs/bulk",
    methods({
      POST: async (c) => {
        const format = acceptFormat(c.req.raw);
        const inputs = await readBody(c.req.raw, format, body.bulkEnqueue);
        inputs.forEach((input, i) => {
          const error =
            nameError("type", input.type) ??
            nameError("queue", input.queue) ??
            (input.uniqueWhile !== undefined && input.uniqueKey === undefined
              ? "unique_while requires unique_key"
              : undefined) ??
            uniqueWhileError(input.uniqueWhile) ??
            (input.uniqueKey !== undefined && input.batch ? "unique_key and batch cannot be combined" : undefined);
          if (error) throw new ApiError(400, { error: `jobs[${i}]: ${error}` }, format);
        });
        if (inputs.some((input) => input.uniqueKey !== undefined)) requireLicense(format, "unique jobs");
        if (inputs.some((input) => input.batch)) requireLicense(format, "batched jobs");
        const results = await runEnqueue(format, inputs);
        const nothingNew = results.length > 0 && results.every((r) => r.duplicate || r.folded);
        return respond(format, nothingNew ? 200 : 201, { jobs: enqueueResponse(format, results) });
      },
    }),
  );

  // --- acks ---

  app.all(
    "/jobs/success",
    methods({
      POST: async (c) => {
        const format = acceptFormat(c.req.raw);
        const ids = await readBody(c.req.raw, format, body.ids);
        if (ids.length === 0) throw fail(400, "ids must not be empty");
        const notFound = [...new Set(ids)].filter((id) => !store.complete(id));
        return notFound.length === 0 ? noContent() : respond(format, 422, { not_found: notFound });
      },
    }),
  );

  // --- list / count / bulk patch / bulk delete ---

  /**
   * The jobs whose payload matches the jq `filter`, judged now among those the other filters
   * select (400 `invalid filter` when it does not compile or runs past the time budget); the
   * answer is then read from the store as it is after the wait. Undefined without a jq filter.
   */
  const judgePayloads = async (
    filter: JobFilter,
    options: { visibleOnly: boolean; descending?: boolean; from?: string },
  ): Promise<ReadonlySet<StoredJob> | undefined> => {
    const { filter: expr, ...fields } = filter;
    if (expr === undefined) return undefined;
    const candidates = store.select(fields, options);
    let verdicts: boolean[];
    try {
      verdicts = await deps.payloadFilter.matches(
        expr,
        candidates.map((job) => job.payload),
      );
    } catch (error) {
      // A timeout is fail-safe: the real server has no bound, so such a request would never be answered.
      if (error instanceof JqError || error instanceof FilterTimeout) throw fail(400, `invalid filter: ${error.message}`);
      throw error;
    }
    return new Set(candidates.filter((_, i) => verdicts[i]));
  };

  /** The filters of count, bulk patch and bulk delete. */
  const readJobFilter = (url: URL) => query(() => readFilter(readParams(url, COUNT_KEYS)));

  app.all(
    "/jobs",
    methods({
      GET: async (c) => {
        const format = acceptFormat(c.req.raw);
        const url = new URL(c.req.url);
        const { filter, order, limit, from } = query(() => {
          const params = readParams(url, LIST_KEYS);
          return { filter: readFilter(params), order: readOrder(params), limit: readLimit(params), from: params.get("from") };
        });
        checkLimit(limit);
        checkIds(filter.ids);
        const descending = order === "desc";
        const matching = await judgePayloads(filter, { visibleOnly: true, descending, from });
        const rows = store.select(filter, { matching, visibleOnly: true, descending, from, limit: limit + 1 });
        const page = rows.slice(0, limit);
        const first = page[0];
        const last = page[page.length - 1];
        const reversed = descending ? "asc" : "desc";
        return respond(format, 200, {
          jobs: page.map((job) => jobView(job, { payload: true, msgpack: format === "msgpack" })),
          pages: {
            self: pageLink(from, order, limit, filter),
            next: rows.length > limit && last ? pageLink(last.id, order, limit, filter) : null,
            prev: from !== undefined && first ? pageLink(first.id, reversed, limit, filter) : null,
          },
        });
      },
      POST: enqueue,
      PATCH: async (c) => {
        const format = acceptFormat(c.req.raw);
        const url = new URL(c.req.url);
        const patch = await readBody(c.req.raw, format, body.patch);
        const filter = readJobFilter(url);
        for (const status of ["completed", "dead"] as const) {
          if (filter.statuses.has(status)) {
            throw fail(422, `cannot patch jobs in ${status[0]?.toUpperCase()}${status.slice(1)} status`);
          }
        }
        checkIds(filter.ids);
        checkPatch(patch);
        const matching = await judgePayloads(filter, { visibleOnly: false });
        const jobs = store.select(filter, { matching, visibleOnly: false }).filter((job) => !isTerminal(job));
        for (const job of jobs) store.patch(job, patch);
        return respond(format, 200, { patched: jobs.length });
      },
      DELETE: async (c) => {
        const format = acceptFormat(c.req.raw);
        const filter = readJobFilter(new URL(c.req.url));
        checkIds(filter.ids);
        const matching = await judgePayloads(filter, { visibleOnly: false });
        const jobs = store.select(filter, { matching, visibleOnly: false });
        for (const job of jobs) store.delete(job);
        return respond(format, 200, { deleted: jobs.length });
      },
    }),
  );

  app.all(
    "/jobs/count",
    methods({
      GET: async (c) => {
        const format = acceptFormat(c.req.raw);
        const filter = readJobFilter(new URL(c.req.url));
        checkIds(filter.ids);
        const matching = await judgePayloads(filter, { visibleOnly: true });
        return respond(format, 200, { count: store.select(filter, { matching, visibleOnly: true }).length });
      },
    }),
  );

  // --- take ---

  app.all(
    "/jobs/take",
    methods({
      GET: (c) => {
        const format = streamFormat(c.req.raw);
        const { queues, prefetch } = takeParams(new URL(c.req.url));
        const workerId = c.req.header("worker-id") || randomWorkerId();
        return hub.open({ format, queues, prefetch, workerId });
      },
    }),
  );

  // --- one job ---

  app.all(
    "/jobs/:id",
    methods({
      GET: (c) => {
        const format = acceptFormat(c.req.raw);
        const job = store.get(param(c, "id"));
        if (!job) throw fail(404, "job not found");
        return respond(format, 200, jobView(job, { payload: true, msgpack: format === "msgpack" }));
      },
      PATCH: async (c) => {
        const format = acceptFormat(c.req.raw);
        const patch = await readBody(c.req.raw, format, body.patch);
        checkPatch(patch);
        const id = param(c, "id");
        const job = store.jobs.get(id);
        if (!job) throw fail(404, "job not found");
        if (isTerminal(job)) throw fail(422, `cannot patch job ${id} in ${job.status} status`);
        store.patch(job, patch);
        return respond(format, 200, jobView(job, { msgpack: format === "msgpack" }));
      },
      DELETE: (c) => {
        acceptFormat(c.req.raw);
        const job = store.jobs.get(param(c, "id"));
        if (!job) throw fail(404, "job not found");
        store.delete(job);
        return noContent();
      },
    }),
  );

  app.all(
    "/jobs/:id/success",
    methods({
      POST: (c) => {
        acceptFormat(c.req.raw);
        if (!store.complete(param(c, "id"))) throw fail(404, "job not found in in-flight set");
        return noContent();
      },
    }),
  );

  app.all(
    "/jobs/:id/failure",
    methods({
      POST: async (c) => {
        const format = acceptFormat(c.req.raw);
        const failure = await readBody(c.req.raw, format, body.failure);
        const job = store.fail(param(c, "id"), failure);
        if (!job) throw fail(404, "job not found in in-flight set");
        return respond(format, 200, jobView(job, { msgpack: format === "msgpack" }));
      },
    }),
  );

  app.all(
    "/jobs/:id/errors",
    methods({
      GET: (c) => {
        const format = acceptFormat(c.req.raw);
        const id = param(c, "id");
        const { from, order, limit } = query(() => {
          const params = readParams(new URL(c.req.url), ["from", "order", "limit"]);
          const cursor = params.get("from");
          return {
            from: cursor === undefined ? undefined : Number(parseUnsigned(cursor, "u32")),
            order: readOrder(params),
            limit: readLimit(params),
          };
        });
        checkLimit(limit);
        const job = store.get(id);
        if (!job) throw fail(404, "job not found");
        // The server's cursor means "attempts above `from`" whatever the order (a known quirk).
        const records = job.errors.filter((record) => from === undefined || record.attempt > from);
        if (order === "desc") records.reverse();
        const page = records.slice(0, limit);
        const link = (cursor: number | undefined, direction: string) =>
          `/jobs/${id}/errors?${cursor === undefined ? "" : `from=${cursor}&`}order=${direction}&limit=${limit}`;
        const first = page[0];
        const last = page[page.length - 1];
        return respond(format, 200, {
          errors: page,
          pages: {
            self: link(from, order),
            next: records.length > limit && last ? link(last.attempt, order) : null,
            prev: from !== undefined && first ? link(first.attempt, order === "asc" ? "desc" : "asc") : null,
          },
        });
      },
    }),
  );

  app.all(
    "/jobs/:id/errors/:attempt",
    methods({
      GET: (c) => {
        const format = acceptFormat(c.req.raw);
        const raw = param(c, "attempt");
        let attempt: number;
        try {
          attempt = Number(parseUnsigned(raw, "u32"));
        } catch (error) {
          if (!(error instanceof QueryError)) throw error;
          throw new PlainError(400, `Invalid URL: Cannot parse value at index 1 with value \`${raw}\` to a \`u32\``);
        }
        const job = store.get(param(c, "id"));
        if (!job) throw fail(404, "job not found");
        const record = job.errors.find((r) => r.attempt === attempt);
        if (!record) throw fail(404, "error record not found");
        return respond(format, 200, record);
      },
    }),
  );

  // --- cron ---

  /** Cron routes: the body (if any) is read first, then the licence, then the rules. */
  const cron =
    <T>(read: ((value: unknown) => T) | undefined, run: (c: Context, input: T, format: Format) => Promise<Response> | Response): Handler =>
    async (c) => {
      const format = acceptFormat(c.req.raw);
      const input = read ? await readBody(c.req.raw, format, read) : (undefined as T);
      requireLicense(format, "cron scheduling");
      try {
        return await run(c, input, format);
      } catch (error) {
        if (error instanceof CronError) throw new ApiError(error.status, { error: error.message }, format);
        throw error;
      }
    };

  const checkEntry = async (entry: body.CronEntryInput) => {
    const error =
      nameError("cron entry name", entry.name) ??
      nameError("type", entry.job.type) ??
      nameError("queue", entry.job.queue) ??
      (entry.job.readyAt !== undefined ? "ready_at is not supported for cron entries" : undefined) ??
      (entry.job.uniqueKey !== undefined && entry.job.batch ? "unique_key and batch cannot be combined" : undefined) ??
      uniqueWhileError(entry.job.uniqueWhile);
    if (error) throw new CronError(400, error);
  };

  /** Each entry's expression, then its zone, then its batch (refused with 400 here, not 422). */
  const checkSchedules = async (entries: body.CronEntryInput[]) => {
    const jq = await jqFor(entries.some((entry) => entry.job.batch));
    const endless = jq && (await endlessBatch(jq, entries.map((entry) => entry.job)));
    for (const [index, entry] of entries.entries()) {
      nextOccurrence(entry.expression, entry.timezone, 0);
      try {
        if (endless?.index === index) throw new InvalidOperation(endless.message);
        if (jq && entry.job.batch) validateBatch(jq, entry.job.batch, entry.job.payload);
      } catch (error) {
        if (error instanceof InvalidOperation) throw new CronError(400, error.message);
        throw error;
      }
    }
  };

  app.all(
    "/crons",
    methods({
      GET: cron(undefined, (_c, _i, format) => respond(format, 200, { crons: crons.names() })),
      DELETE: cron(undefined, (_c, _i, format) => respond(format, 200, { deleted: crons.deleteAll() })),
    }),
  );

  app.all(
    "/crons/:group",
    methods({
      GET: cron(undefined, (c, _i, format) => respond(format, 200, crons.group(param(c, "group")))),
      PUT: cron(body.cronGroup, async (c, input, format) => {
        const name = param(c, "group");
        const badName = nameError("cron group name", name);
        if (badName) throw new CronError(400, badName);
        const seen = new Set<string>();
        for (const entry of input.entries) {
          if (seen.has(entry.name)) throw new CronError(400, `duplicate cron entry name: ${JSON.stringify(entry.name)}`);
          seen.add(entry.name);
        }
        for (const entry of input.entries) await checkEntry(entry);
        await checkSchedules(input.entries);
        return respond(format, 200, crons.replaceGroup(name, input.paused, input.entries));
      }),
      PATCH: cron(body.paused, (c, paused, format) => respond(format, 200, crons.pauseGroup(param(c, "group"), paused))),
      DELETE: cron(undefined, (c) => {
        crons.deleteGroup(param(c, "group"));
        return noContent();
      }),
    }),
  );

  app.all(
    "/crons/:group/entries",
    methods({
      POST: cron(body.cronEntry, async (c, input, format) => {
        const group = param(c, "group");
        const badName = nameError("cron group name", group);
        if (badName) throw new CronError(400, badName);
        await checkEntry(input);
        await checkSchedules([input]);
        return respond(format, 201, crons.addEntry(group, input));
      }),
    }),
  );

  app.all(
    "/crons/:group/entries/:entry",
    methods({
      GET: cron(undefined, (c, _i, format) =>
        respond(format, 200, crons.entry(param(c, "group"), param(c, "entry"))),
      ),
      PUT: cron(body.cronEntry, async (c, input, format) => {
        const group = param(c, "group");
        const badName = nameError("cron group name", group);
        if (badName) throw new CronError(400, badName);
        await checkEntry(input);
        await checkSchedules([input]);
        return respond(format, 200, crons.putEntry(group, param(c, "entry"), input));
      }),
      PATCH: cron(body.paused, (c, paused, format) =>
        respond(format, 200, crons.pauseEntry(param(c, "group"), param(c, "entry"), paused)),
      ),
      DELETE: cron(undefined, (c) => {
        crons.deleteEntry(param(c, "group"), param(c, "entry"));
        return noContent();
      }),
    }),
  );

  app.all(
    "/reset",
    methods({
      POST: (c) => {
        acceptFormat(c.req.raw);
        crons.deleteAll();
        store.reset();
        return noContent();
      },
    }),
  );

  app.notFound((c) => respond(acceptFormat(c.req.raw), 404, { error: "not found" }));

  return app;
}

/** The format an error should be written in, even when `Accept` itself was the problem. */
function tryFormat(request: Request): Format {
  try {
    return acceptFormat(request);
  } catch {
    return "json";
  }
}

function uniqueWhileError(scope: string | undefined): string | undefined {
  if (scope === undefined || (UNIQUE_SCOPES as readonly string[]).includes(scope)) return undefined;
  return `invalid unique_while: ${JSON.stringify(scope)} (expected "queued", "active", or "exists")`;
}

/** PATCH refuses null queue and priority, and bad queue names, with 422 before any lookup. */
function checkPatch(patch: body.PatchInput): void {
  if (patch.queue === null) throw fail(422, "queue cannot be null");
  const badName = patch.queue === undefined ? undefined : nameError("queue", patch.queue);
  if (badName) throw fail(422, badName);
  if (patch.priority === null) throw fail(422, "priority cannot be null");
}

const isTerminal = (job: StoredJob) => job.status === "completed" || job.status === "dead";

function takeParams(url: URL): { queues: Set<string>; prefetch: number } {
  try {
    const params = readParams(url, ["queue", "prefetch"]);
    const prefetch = params.get("prefetch");
    return {
      queues: new Set((params.get("queue") ?? "").split(",").filter((q) => q !== "")),
      prefetch: prefetch === undefined ? 1 : Number(parseUnsigned(prefetch, "u64")),
    };
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    throw new PlainError(400, `Failed to deserialize query string: ${error.message}`);
  }
}

function randomWorkerId(): string {
  return crypto.getRandomValues(new Uint32Array(1))[0]?.toString(16).padStart(8, "0") ?? "00000000";
}
