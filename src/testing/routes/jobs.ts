import { Hono } from "hono";
import { nameError } from "../../protocol/names.ts";
import { methods } from "../http/methods.ts";
import { acceptFormat, readBody } from "../http/negotiate.ts";
import { checkIds, checkLimit, LIST_KEYS, pageLink, query, readFilter, readLimit, readOrder, readParams, withBudgetsKey } from "../http/query.ts";
import * as body from "../http/requests.ts";
import { fail, noContent, respond } from "../http/respond.ts";
import { isTerminal, jobView } from "../store/job.ts";
import type { AppDeps } from "./deps.ts";
import { enqueueOne } from "./enqueue.ts";
import { countJobs, readJobFilter, selectJobs } from "./selection.ts";

/** PATCH refuses null queue and priority, and bad queue names, with 422 before any lookup. */
export function checkPatch(patch: body.PatchInput): void {
  if (patch.queue === null) throw fail(422, "queue cannot be null");
  const badName = patch.queue === undefined ? undefined : nameError("queue", patch.queue);
  if (badName) throw fail(422, badName);
  if (patch.priority === null) throw fail(422, "priority cannot be null");
}

/** The job collection: list and enqueue, bulk patch and delete, count, bulk ack. */
export function jobsRoutes(deps: AppDeps): Hono {
  const { store } = deps;
  const app = new Hono();

  app.all(
    "/",
    methods({
      GET: async (c) => {
        const format = acceptFormat(c.req.raw);
        const { filter, order, limit, from } = query(() => {
          const params = readParams(new URL(c.req.url), withBudgetsKey(LIST_KEYS, deps.features.budgets));
          return { filter: readFilter(params), order: readOrder(params), limit: readLimit(params), from: params.get("from") };
        });
        checkLimit(limit);
        checkIds(filter.ids);
        const descending = order === "desc";
        const rows = await selectJobs(deps, filter, { visibleOnly: true, descending, from, limit: limit + 1 });
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
      POST: enqueueOne(deps),
      PATCH: async (c) => {
        const format = acceptFormat(c.req.raw);
        const patch = await readBody(c.req.raw, format, body.patch);
        const filter = readJobFilter(deps, new URL(c.req.url));
        for (const status of ["completed", "dead"] as const) {
          if (filter.statuses.has(status)) {
            throw fail(422, `cannot patch jobs in ${status[0]?.toUpperCase()}${status.slice(1)} status`);
          }
        }
        checkIds(filter.ids);
        checkPatch(patch);
        const jobs = (await selectJobs(deps, filter, { visibleOnly: false })).filter((job) => !isTerminal(job));
        for (const job of jobs) store.patch(job, patch);
        return respond(format, 200, { patched: jobs.length });
      },
      DELETE: async (c) => {
        const format = acceptFormat(c.req.raw);
        const filter = readJobFilter(deps, new URL(c.req.url));
        checkIds(filter.ids);
        const jobs = await selectJobs(deps, filter, { visibleOnly: false });
        for (const job of jobs) store.delete(job);
        return respond(format, 200, { deleted: jobs.length });
      },
    }),
  );

  app.all(
    "/count",
    methods({
      GET: async (c) => {
        const format = acceptFormat(c.req.raw);
        const filter = readJobFilter(deps, new URL(c.req.url));
        checkIds(filter.ids);
        return respond(format, 200, { count: await countJobs(deps, filter, { visibleOnly: true }) });
      },
    }),
  );

  app.all(
    "/success",
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

  return app;
}
