import { Hono } from "hono";
import { type Handler, methods } from "../http/methods.ts";
import { acceptFormat, readBody } from "../http/negotiate.ts";
import * as body from "../http/requests.ts";
import { ApiError, fail, type Format, respond } from "../http/respond.ts";
import { jobView } from "../store/job.ts";
import { InternalError, InvalidOperation, type EnqueueResult } from "../store/store.ts";
import type { AppDeps } from "./deps.ts";
import {
  endlessBatch,
  firstBroken,
  jqFor,
  knownUniqueScope,
  requireEnqueueLicense,
  typeAndQueueNames,
  uniqueKeyWithoutBatch,
  uniqueWhileNeedsKey,
} from "./enqueue-rules.ts";

const enqueueView = (format: Format, { job, duplicate, folded }: EnqueueResult) =>
  jobView(job, { msgpack: format === "msgpack", duplicate, folded });

/** Writes checked templates: batch expressions must end in time and pass the store's dry run. */
async function write(deps: AppDeps, inputs: body.EnqueueInput[]): Promise<EnqueueResult[]> {
  const jq = await jqFor(inputs);
  const endless = jq && (await endlessBatch(deps.payloadFilter, jq, inputs));
  if (endless) throw fail(422, endless.message);
  try {
    return deps.store.enqueue(inputs, jq);
  } catch (error) {
    if (error instanceof InvalidOperation) throw fail(422, error.message);
    throw error;
  }
}

/** `POST /jobs`: names and unique rules, the licence, then the scope value. */
export function enqueueOne(deps: AppDeps): Handler {
  return async (c) => {
    const format = acceptFormat(c.req.raw);
    const input = await readBody(c.req.raw, format, body.enqueue);
    const bad = (message: string | undefined) => {
      if (message !== undefined) throw new ApiError(400, { error: message }, format);
    };
    bad(firstBroken(input, [typeAndQueueNames, uniqueWhileNeedsKey, uniqueKeyWithoutBatch]));
    requireEnqueueLicense(deps, format, [input]);
    bad(knownUniqueScope(input));
    const [result] = await write(deps, [input]);
    if (!result) throw new InternalError("enqueue returned nothing");
    return respond(format, result.duplicate || result.folded ? 200 : 201, enqueueView(format, result));
  };
}

/** `POST /jobs/bulk`: every item's rules first (the scope value among them), then one licence check. */
export function bulkEnqueue(deps: AppDeps): Hono {
  const app = new Hono();
  app.all(
    "/bulk",
    methods({
      POST: async (c) => {
        const format = acceptFormat(c.req.raw);
        const inputs = await readBody(c.req.raw, format, body.bulkEnqueue);
        inputs.forEach((input, i) => {
          const error = firstBroken(input, [typeAndQueueNames, uniqueWhileNeedsKey, knownUniqueScope, uniqueKeyWithoutBatch]);
          if (error) throw new ApiError(400, { error: `jobs[${i}]: ${error}` }, format);
        });
        requireEnqueueLicense(deps, format, inputs);
        const results = await write(deps, inputs);
        const nothingNew = results.length > 0 && results.every((r) => r.duplicate || r.folded);
        return respond(format, nothingNew ? 200 : 201, { jobs: results.map((result) => enqueueView(format, result)) });
      },
    }),
  );
  return app;
}
