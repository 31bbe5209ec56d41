/**
 * The calls behind `client.crons`: loaded on first use, so a producer's bundle carries none of it.
 */
import { ZizqArgumentError } from "../errors/argument-error.ts";
import { isJobDefinition, type JobRequest } from "../job/define-job.ts";
import { enqueueBody } from "../job/enqueue-body.ts";
import type { PickReply } from "../protocol/replies.ts";
import { cronEntry, cronGroup } from "../protocol/mapping/cron.ts";
import type { WireCronEntryRequest } from "../protocol/wire.ts";
import type { CronEntry, CronGroup } from "../types/cron.ts";
import { checkName } from "../protocol/names.ts";
import { checkBoolean, checkObject, shown } from "../utils/arguments.ts";
import type { Transport } from "./transport.ts";
import { requireFeature } from "./version-gate.ts";

/** An entry to create or replace: its schedule and the job it enqueues (`Job.with(payload)`). */
export interface CronEntryInput {
  name: string;
  expression: string;
  timezone?: string;
  paused?: boolean;
  // Any job type may be scheduled, whatever its payload.
  job: JobRequest<any, any>;
}

/** A whole group to create or replace. */
export interface CronGroupInput {
  paused?: boolean;
  /**
   * The IANA zone (`"Australia/Melbourne"`) of every entry that sets none (Zizq 0.7). Left out,
   * the group has none (a put replaces the whole group) and such entries run in the server's zone.
   */
  timezone?: string;
  entries: readonly CronEntryInput[];
}

export async function list(transport: Transport): Promise<string[]> {
  return (await call(transport, "GET", "/crons", undefined, true, (r) => r.crons)).crons;
}

export async function get(transport: Transport, group: string): Promise<CronGroup> {
  return cronGroup(await call(transport, "GET", groupPath(group), undefined, true, (r) => r.cronGroup));
}

export async function put(transport: Transport, now: number, group: string, spec: CronGroupInput): Promise<CronGroup> {
  checkObject("spec", spec, true);
  checkBoolean("spec.paused", spec.paused);
  checkTimezone("spec.timezone", spec.timezone);
  if (!Array.isArray(spec.entries)) throw new ZizqArgumentError("spec.entries", `expected an array of entries, got ${shown(spec.entries)}`);
  const entries = await Promise.all(spec.entries.map((entry, i) => entryBody(entry, `entries[${i}]`, now)));
  const path = groupPath(group);
  const body: { paused?: boolean; timezone?: string; entries: WireCronEntryRequest[] } = { entries };
  if (spec.paused !== undefined) body.paused = spec.paused;
  if (spec.timezone !== undefined) {
    await requireFeature(transport, "cron group timezones");
    body.timezone = spec.timezone;
  }
  await requireBudgets(transport, entries);
  return cronGroup(await call(transport, "PUT", path, body, true, (r) => r.cronGroup));
}

/** Sets (or with `null` clears) the zone of the group's entries that set none. */
export async function setGroupTimezone(transport: Transport, group: string, timezone: string | null): Promise<CronGroup> {
  // Left undefined, the body would encode as {}: the server's "unchanged", a silent no-op.
  if (timezone === undefined) throw new ZizqArgumentError("timezone", 'expected an IANA time zone, or null to clear it');
  if (timezone !== null) checkTimezone("timezone", timezone);
  const path = groupPath(group);
  await requireFeature(transport, "cron group timezones");
  return cronGroup(await call(transport, "PATCH", path, { timezone }, false, (r) => r.cronGroup));
}

/** Pauses (`true`) or resumes a group. */
export async function setGroupPaused(transport: Transport, group: string, paused: boolean): Promise<CronGroup> {
  return cronGroup(await call(transport, "PATCH", groupPath(group), { paused }, false, (r) => r.cronGroup));
}

export async function remove(transport: Transport, group: string): Promise<void> {
  await call(transport, "DELETE", groupPath(group), undefined, false, (r) => r.none);
}

export async function removeAll(transport: Transport): Promise<number> {
  return (await call(transport, "DELETE", "/crons", undefined, false, (r) => r.deleted)).deleted;
}

export async function addEntry(transport: Transport, now: number, group: string, entry: CronEntryInput): Promise<CronEntry> {
  const body = await entryBody(entry, "entry", now);
  await requireBudgets(transport, [body]);
  return cronEntry(await call(transport, "POST", `${groupPath(group)}/entries`, body, false, (r) => r.cronEntry));
}

export async function getEntry(transport: Transport, group: string, name: string): Promise<CronEntry> {
  return cronEntry(await call(transport, "GET", entryPath(group, name), undefined, true, (r) => r.cronEntry));
}

export async function putEntry(transport: Transport, now: number, group: string, entry: CronEntryInput): Promise<CronEntry> {
  const body = await entryBody(entry, "entry", now);
  await requireBudgets(transport, [body]);
  return cronEntry(await call(transport, "PUT", entryPath(group, entry.name), body, true, (r) => r.cronEntry));
}

/** Pauses (`true`) or resumes one entry. */
export async function setEntryPaused(transport: Transport, group: string, name: string, paused: boolean): Promise<CronEntry> {
  return cronEntry(await call(transport, "PATCH", entryPath(group, name), { paused }, false, (r) => r.cronEntry));
}

export async function removeEntry(transport: Transport, group: string, name: string): Promise<void> {
  await call(transport, "DELETE", entryPath(group, name), undefined, false, (r) => r.none);
}

async function call<Body>(
  transport: Transport,
  method: "GET" | "PUT" | "PATCH" | "POST" | "DELETE",
  path: string,
  body: unknown,
  idempotent: boolean,
  reply: PickReply<Body>,
): Promise<Body> {
  return (await transport.send({ method, path, body, idempotent, reply })).body;
}

/** A 0.6 server would fire templates with budgets as unthrottled jobs. */
async function requireBudgets(transport: Transport, entries: readonly WireCronEntryRequest[]): Promise<void> {
  if (entries.some((entry) => entry.job.budgets)) await requireFeature(transport, "budgets");
}

async function entryBody(entry: CronEntryInput, field: string, now: number): Promise<WireCronEntryRequest> {
  checkObject(field, entry, true);
  checkName(`${field}.name`, entry.name, "cron entry name");
  if (typeof entry.expression !== "string" || entry.expression.trim() === "") {
    throw new ZizqArgumentError(`${field}.expression`, `expected a cron expression, got ${shown(entry.expression)}`);
  }
  checkTimezone(`${field}.timezone`, entry.timezone);
  checkBoolean(`${field}.paused`, entry.paused);
  if (!isJobDefinition(entry.job?.definition)) throw new ZizqArgumentError(`${field}.job`, `expected Job.with(payload), got ${shown(entry.job)}`);
  if (entry.job.options.readyAt !== undefined || entry.job.options.delay !== undefined) {
    throw new ZizqArgumentError(`${field}.job`, "a cron job template cannot set readyAt or delay");
  }
  const body: WireCronEntryRequest = {
    name: entry.name,
    expression: entry.expression,
    job: await enqueueBody(entry.job, now),
  };
  if (entry.timezone !== undefined) body.timezone = entry.timezone;
  if (entry.paused !== undefined) body.paused = entry.paused;
  return body;
}

/** An IANA zone name: the server refuses an unknown one (400), so only its shape is checked here. */
function checkTimezone(field: string, value: unknown): void {
  if (value !== undefined && (typeof value !== "string" || value.trim() === "")) {
    throw new ZizqArgumentError(field, `expected an IANA time zone such as "Europe/Berlin", got ${shown(value)}`);
  }
}

function groupPath(group: string): string {
  checkName("group", group, "cron group name");
  return `/crons/${encodeURIComponent(group)}`;
}

function entryPath(group: string, name: string): string {
  checkName("name", name, "cron entry name");
  return `${groupPath(group)}/entries/${encodeURIComponent(name)}`;
}
