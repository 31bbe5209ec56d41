import { Hono } from "hono";
import { methods, param } from "../http/methods.ts";
import { acceptFormat, readBody } from "../http/negotiate.ts";
import { parseUnsigned, query, QueryError, readLimit, readOrder, readParams, checkLimit } from "../http/query.ts";
import * as body from "../http/requests.ts";
import { fail, noContent, PlainError, respond } from "../http/respond.ts";
import { isTerminal, jobView } from "../store/job.ts";
import type { AppDeps } from "./deps.ts";
import { checkPatch } from "./jobs.ts";

/** One job by id: read, patch, delete, ack, fail, and its error history. */
export function jobRoutes({ store }: AppDeps): Hono {
  const app = new Hono();

  app.all(
    "/:id",
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
        const job = store.find(id);
        if (!job) throw fail(404, "job not found");
        if (isTerminal(job)) throw fail(422, `cannot patch job ${id} in ${job.status} status`);
        store.patch(job, patch);
        return respond(format, 200, jobView(job, { msgpack: format === "msgpack" }));
      },
      DELETE: (c) => {
        acceptFormat(c.req.raw);
        const job = store.find(param(c, "id"));
        if (!job) throw fail(404, "job not found");
        store.delete(job);
        return noContent();
      },
    }),
  );

  app.all(
    "/:id/success",
    methods({
      POST: (c) => {
        acceptFormat(c.req.raw);
        if (!store.complete(param(c, "id"))) throw fail(404, "job not found in in-flight set");
        return noContent();
      },
    }),
  );

  app.all(
    "/:id/failure",
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
    "/:id/errors",
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
    "/:id/errors/:attempt",
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

  return app;
}
