import { Hono } from "hono";
import { type Handler, methods } from "../http/methods.ts";
import { acceptFormat, readBody } from "../http/negotiate.ts";
import * as body from "../http/requests.ts";
import { ApiError, fail, type Format, respond } from "../http/respond.ts";
import { type ParsedBinding, parseBinding } from "../store/budgets.ts";
import { jobView } from "../store/job.ts";
import { InternalError } from "../store/errors.ts";
import type { EnqueueResult } from "../store/store.ts";
import { type AppDeps, answer } from "./deps.ts";
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

/** A template's bindings past the checks that need no store (422, with the bulk item's prefix). */
export const parseBindings = (format: Format, job: body.EnqueueInput, prefix = ""): ParsedBinding[] =>
  answer(format, () => (job.budgets ?? []).map(parseBinding), prefix);

/**
 * Writes checked templates in one step: batch expressions must end in time; the budgets they
 * name must exist or be created (first `create_with` wins), and are created only if the write
 * succeeds.
 */
async function write(deps: AppDeps, format: Format, inputs: body.EnqueueInput[], bindings: ParsedBinding[][]) {
  const jq = await jqFor(inputs);
  const endless = jq && (await endlessBatch(deps.payloadFilter, jq, inputs));
  if (endless) throw fail(422, endless.message);
  return answer(format, () => {
    const plan = deps.budgets.plan();
    const resolved = bindings.map((list) => plan.resolve(list));
    const undo = plan.commit();
    try {
      return deps.store.enqueue(inputs, jq, resolved);
    } catch (error) {
      undo();
      throw error;
    }
  });
}

/** `POST /jobs`: names and unique rules, the licence, the scope value, then the bindings. */
export function enqueueOne(deps: AppDeps): Handler {
  const read = body.enqueue(deps.features);
  return async (c) => {
    const format = acceptFormat(c.req.raw);
    const input = await readBody(c.req.raw, format, read);
    const bad = (message: string | undefined) => {
      if (message !== undefined) throw new ApiError(400, { error: message }, format);
    };
    bad(firstBroken(input, [typeAndQueueNames, uniqueWhileNeedsKey, uniqueKeyWithoutBatch]));
    requireEnqueueLicense(deps, format, [input]);
    bad(knownUniqueScope(input));
    const [result] = await write(deps, format, [input], [parseBindings(format, input)]);
    if (!result) throw new InternalError("enqueue returned nothing");
    return respond(format, result.duplicate || result.folded ? 200 : 201, enqueueView(format, result));
  };
}

/** `POST /jobs/bulk`: every item's rules first (the scope value among them), then one licence check. */
export function bulkEnqueue(deps: AppDeps): Hono {
  const read = body.bulkEnqueue(deps.features);
  const app = new Hono();
  app.all(
    "/bulk",
    methods({
      POST: async (c) => {
        const format = acceptFormat(c.req.raw);
        const inputs = await readBody(c.req.raw, format, read);
        inputs.forEach((input, i) => {
          const error = firstBroken(input, [typeAndQueueNames, uniqueWhileNeedsKey, knownUniqueScope, uniqueKeyWithoutBatch]);
          if (error) throw new ApiError(400, { error: `jobs[${i}]: ${error}` }, format);
        });
        requireEnqueueLicense(deps, format, inputs);
        const bindings = inputs.map((input, i) => parseBindings(format, input, `jobs[${i}]: `));
        const results = await write(deps, format, inputs, bindings);
        const nothingNew = results.length > 0 && results.every((r) => r.duplicate || r.folded);
        return respond(format, nothingNew ? 200 : 201, { jobs: results.map((result) => enqueueView(format, result)) });
      },
    }),
  );
  return app;
}
