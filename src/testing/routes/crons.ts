import { type Context, Hono } from "hono";
import { nameError } from "../../protocol/names.ts";
import { checkTimeZone, CronError, nextOccurrence } from "../cron/crons.ts";
import { methods, param } from "../http/methods.ts";
import * as body from "../http/requests.ts";
import { ApiError, type Format, noContent, respond } from "../http/respond.ts";
import { validateBatch } from "../store/batch.ts";
import { InvalidOperation } from "../store/errors.ts";
import { parseBinding } from "../store/budgets.ts";
import { type AppDeps, answer, proRoute } from "./deps.ts";
import {
  type EnqueueRule,
  endlessBatch,
  firstBroken,
  jqFor,
  knownUniqueScope,
  typeAndQueueNames,
  uniqueKeyWithoutBatch,
} from "./enqueue-rules.ts";

const noReadyAt: EnqueueRule = (job) =>
  job.readyAt !== undefined ? "ready_at is not supported for cron entries" : undefined;

/** A template's rules; `unique_while` without `unique_key` is accepted here. */
const TEMPLATE_RULES = [typeAndQueueNames, noReadyAt, uniqueKeyWithoutBatch, knownUniqueScope];

/** Cron groups and entries (Pro): the body (if any) is read first, then the licence, then the rules. */
export function cronRoutes(deps: AppDeps): Hono {
  const { crons, budgets, features } = deps;
  const app = new Hono();
  const entryBody = body.cronEntry(features);

  const cron = <T>(read: ((value: unknown) => T) | undefined, run: (c: Context, input: T, format: Format) => Promise<Response> | Response) =>
    proRoute(deps, "cron scheduling", read, run, (error, format) =>
      error instanceof CronError ? new ApiError(error.status, { error: error.message }, format) : error,
    );

  const checkGroupName = (name: string) => {
    const badName = nameError("cron group name", name);
    if (badName) throw new CronError(400, badName);
  };

  /** An entry's rules, its template's budget bindings among them (400 here, not 422). */
  const checkEntry = (entry: body.CronEntryInput) => {
    const error = nameError("cron entry name", entry.name) ?? firstBroken(entry.job, TEMPLATE_RULES);
    if (error) throw new CronError(400, error);
    try {
      entry.job.budgets?.forEach(parseBinding);
    } catch (error) {
      throw new CronError(400, (error as Error).message);
    }
  };

  /**
   * Installs entries with `write`: the budgets their templates name must exist or come with
   * `create_with`, and each cost must fit (422). Budgets are created with the entries, so an
   * accepted entry can always fire, and not at all when `write` refuses. Each template then
   * holds its resolved `{key, cost}` bindings.
   */
  const install = <T>(entries: body.CronEntryInput[], format: Format, write: () => T): T => {
    const plan = budgets.plan();
    const resolved = answer(format, () => entries.map((entry) => plan.resolve((entry.job.budgets ?? []).map(parseBinding))));
    const undo = plan.commit();
    entries.forEach((entry, i) => {
      if (entry.job.budgets) entry.job.budgets = resolved[i];
    });
    try {
      return write();
    } catch (error) {
      undo();
      throw error;
    }
  };

  /** Each entry's expression, then its zone (its own, else the group's), then its batch (400 here, not 422). */
  const checkSchedules = async (entries: body.CronEntryInput[], groupZone: string | undefined) => {
    const templates = entries.map((entry) => entry.job);
    const jq = await jqFor(templates);
    const endless = jq && (await endlessBatch(deps.payloadFilter, jq, templates));
    for (const [index, entry] of entries.entries()) {
      nextOccurrence(entry.expression, entry.timezone ?? groupZone, 0);
      try {
        if (endless?.index === index) throw new InvalidOperation(endless.message);
        if (jq && entry.job.batch) validateBatch(jq, entry.job.batch, entry.job.payload);
      } catch (error) {
        if (error instanceof InvalidOperation) throw new CronError(400, error.message);
        throw error;
      }
    }
  };

  /** The checks of `POST .../entries` and `PUT .../entries/{entry}`. */
  const checkOneEntry = async (group: string, input: body.CronEntryInput) => {
    checkGroupName(group);
    checkEntry(input);
    await checkSchedules([input], crons.zoneOf(group));
  };

  app.all(
    "/",
    methods({
      GET: cron(undefined, (_c, _i, format) => respond(format, 200, { crons: crons.names() })),
      DELETE: cron(undefined, (_c, _i, format) => respond(format, 200, { deleted: crons.deleteAll() })),
    }),
  );

  app.all(
    "/:group",
    methods({
      GET: cron(undefined, (c, _i, format) => respond(format, 200, crons.group(param(c, "group")))),
      PUT: cron(body.cronGroup(features), async (c, input, format) => {
        const name = param(c, "group");
        checkGroupName(name);
        const seen = new Set<string>();
        for (const entry of input.entries) {
          if (seen.has(entry.name)) throw new CronError(400, `duplicate cron entry name: ${JSON.stringify(entry.name)}`);
          seen.add(entry.name);
        }
        for (const entry of input.entries) checkEntry(entry);
        if (input.timezone !== undefined) checkTimeZone(input.timezone);
        await checkSchedules(input.entries, input.timezone);
        const group = install(input.entries, format, () => crons.replaceGroup(name, input.paused, input.entries, input.timezone));
        return respond(format, 200, group);
      }),
      PATCH: features.groupTimezone
        ? cron(body.groupPatch, (c, patch, format) => {
            if (typeof patch.timezone === "string") checkTimeZone(patch.timezone);
            return respond(format, 200, crons.patchGroup(param(c, "group"), patch));
          })
        : cron(body.paused, (c, paused, format) => respond(format, 200, crons.patchGroup(param(c, "group"), { paused }))),
      DELETE: cron(undefined, (c) => {
        crons.deleteGroup(param(c, "group"));
        return noContent();
      }),
    }),
  );

  app.all(
    "/:group/entries",
    methods({
      POST: cron(entryBody, async (c, input, format) => {
        const group = param(c, "group");
        await checkOneEntry(group, input);
        return respond(format, 201, install([input], format, () => crons.addEntry(group, input)));
      }),
    }),
  );

  app.all(
    "/:group/entries/:entry",
    methods({
      GET: cron(undefined, (c, _i, format) => respond(format, 200, crons.entry(param(c, "group"), param(c, "entry")))),
      PUT: cron(entryBody, async (c, input, format) => {
        const group = param(c, "group");
        await checkOneEntry(group, input);
        return respond(format, 200, install([input], format, () => crons.putEntry(group, param(c, "entry"), input)));
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

  return app;
}
