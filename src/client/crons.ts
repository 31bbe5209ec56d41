import { ZizqArgumentError } from "../errors/argument-error.ts";
import { isJobDefinition, type JobRequest } from "../job/define-job.ts";
import { enqueueBody } from "../job/enqueue-body.ts";
import type { PickReply } from "../protocol/replies.ts";
import type { WireBudgetBinding, WireCronEntry, WireCronEntryRequest, WireCronGroup } from "../protocol/wire.ts";
import type { BudgetBinding } from "../types/budget.ts";
import { checkBoolean, checkName, checkObject, shown } from "../utils/arguments.ts";
import type { Transport } from "./transport.ts";
import type { Backoff, BatchConfig, Retention, UniqueWhile } from "./types.ts";
import { requireFeature } from "./version-gate.ts";
import { backoff, budgetBindings, retention } from "./wire-convert.ts";

/** The job a cron entry enqueues each time it fires. */
export interface CronJobTemplate {
  type: string;
  queue: string;
  priority: number;
  payload: unknown;
  retryLimit?: number;
  backoff?: Backoff;
  retention?: Retention;
  uniqueKey?: string;
  uniqueWhile?: UniqueWhile;
  batch?: BatchConfig;
  /** The budgets each fired job draws on (Zizq 0.7); empty when none. */
  budgets: BudgetBinding[];
}

/** A cron entry as the server reports it: its schedule, its job template and when it fires next. */
export interface CronEntry {
  name: string;
  /** Five fields, or six with seconds first. */
  expression: string;
  /** The entry's own IANA zone; without one the group's applies, else the server's local zone. */
  timezone?: string;
  paused: boolean;
  pausedAt?: number;
  resumedAt?: number;
  job: CronJobTemplate;
  nextEnqueueAt?: number;
  lastEnqueueAt?: number;
}

/** A named group of cron entries, paused and resumed together. */
export interface CronGroup {
  name: string;
  paused: boolean;
  /** The IANA zone of entries that set none (Zizq 0.7). */
  timezone?: string;
  pausedAt?: number;
  resumedAt?: number;
  entries: CronEntry[];
}

/** An entry to create or replace: its schedule and the job it enqueues (`Job.with(payload)`). */
export interface CronEntryInput {
  name: string;
  expression: string;
  timezone?: string;
  paused?: boolean;
  // Any job type may be scheduled, whatever its payload.
  job: JobRequest<any, any>;
}

/** What `crons.put` takes: the whole group, which replaces any group of that name. */
export interface CronGroupInput {
  paused?: boolean;
  /**
   * The IANA zone (`"Australia/Melbourne"`) of every entry that sets none (Zizq 0.7); left out,
   * the group has none and such entries run in the server's local zone.
   */
  timezone?: string;
  entries: readonly CronEntryInput[];
}

/** Cron groups and entries (Zizq Pro). Every call throws `ZizqProLicenseError` on the free tier. */
export class Crons {
  /** @internal Use `client.crons`. */
  constructor(
    private readonly transport: Transport,
    private readonly now: () => number,
  ) {}

  /** Names of every group, sorted. */
  async list(): Promise<string[]> {
    return (await this.call("GET", "/crons", undefined, true, (r) => r.crons)).crons;
  }

  /** A group with its entries sorted by name; `ZizqNotFoundError` when missing. */
  async get(group: string): Promise<CronGroup> {
    return cronGroup(await this.call("GET", groupPath(group), undefined, true, (r) => r.cronGroup));
  }

  /** Creates or replaces a group; entries not listed are removed, unchanged schedules are kept. */
  async put(group: string, spec: CronGroupInput): Promise<CronGroup> {
    checkObject("spec", spec, true);
    checkBoolean("spec.paused", spec.paused);
    checkTimezone("spec.timezone", spec.timezone);
    if (!Array.isArray(spec.entries)) throw new ZizqArgumentError("spec.entries", `expected an array of entries, got ${shown(spec.entries)}`);
    const entries = await Promise.all(spec.entries.map((entry, i) => this.entryBody(entry, `entries[${i}]`)));
    const path = groupPath(group);
    const body: { paused?: boolean; timezone?: string; entries: WireCronEntryRequest[] } = { entries };
    if (spec.paused !== undefined) body.paused = spec.paused;
    if (spec.timezone !== undefined) {
      await requireFeature(this.transport, "cron group timezones");
      body.timezone = spec.timezone;
    }
    await this.requireBudgets(entries);
    return cronGroup(await this.call("PUT", path, body, true, (r) => r.cronGroup));
  }

  /**
   * Sets the zone of the group's entries that set none, or clears it with `null` (Zizq 0.7);
   * those entries are rescheduled in the new zone. Pausing is left as it is.
   */
  async setTimezone(group: string, timezone: string | null): Promise<CronGroup> {
    if (timezone !== null) checkTimezone("timezone", timezone);
    const path = groupPath(group);
    await requireFeature(this.transport, "cron group timezones");
    return cronGroup(await this.call("PATCH", path, { timezone }, false, (r) => r.cronGroup));
  }

  /** Pauses every entry of the group (their schedules keep advancing, nothing is enqueued). */
  async pause(group: string): Promise<CronGroup> {
    return cronGroup(await this.call("PATCH", groupPath(group), { paused: true }, false, (r) => r.cronGroup));
  }

  /** Resumes a paused group. */
  async resume(group: string): Promise<CronGroup> {
    return cronGroup(await this.call("PATCH", groupPath(group), { paused: false }, false, (r) => r.cronGroup));
  }

  /** Deletes a group and its entries; `ZizqNotFoundError` when missing. */
  async delete(group: string): Promise<void> {
    await this.call("DELETE", groupPath(group), undefined, false, (r) => r.none);
  }

  /** Deletes every group; answers how many there were. */
  async deleteAll(): Promise<number> {
    return (await this.call("DELETE", "/crons", undefined, false, (r) => r.deleted)).deleted;
  }

  /** Adds an entry (creating the group); `ZizqConflictError` when the name is taken. */
  async addEntry(group: string, entry: CronEntryInput): Promise<CronEntry> {
    const body = await this.entryBody(entry, "entry");
    await this.requireBudgets([body]);
    return cronEntry(await this.call("POST", `${groupPath(group)}/entries`, body, false, (r) => r.cronEntry));
  }

  /** One entry; `ZizqNotFoundError` when it or its group is missing. */
  async getEntry(group: string, name: string): Promise<CronEntry> {
    return cronEntry(await this.call("GET", entryPath(group, name), undefined, true, (r) => r.cronEntry));
  }

  /** Creates or replaces an entry (creating the group). */
  async putEntry(group: string, entry: CronEntryInput): Promise<CronEntry> {
    const body = await this.entryBody(entry, "entry");
    await this.requireBudgets([body]);
    return cronEntry(await this.call("PUT", entryPath(group, entry.name), body, true, (r) => r.cronEntry));
  }

  /** Pauses one entry. */
  async pauseEntry(group: string, name: string): Promise<CronEntry> {
    return cronEntry(await this.call("PATCH", entryPath(group, name), { paused: true }, false, (r) => r.cronEntry));
  }

  /** Resumes one entry. */
  async resumeEntry(group: string, name: string): Promise<CronEntry> {
    return cronEntry(await this.call("PATCH", entryPath(group, name), { paused: false }, false, (r) => r.cronEntry));
  }

  /** Deletes one entry; the group stays, even when empty. */
  async deleteEntry(group: string, name: string): Promise<void> {
    await this.call("DELETE", entryPath(group, name), undefined, false, (r) => r.none);
  }

  private async call<Body>(method: "GET" | "PUT" | "PATCH" | "POST" | "DELETE", path: string, body: unknown, idempotent: boolean, reply: PickReply<Body>) {
    return (await this.transport.send({ method, path, body, idempotent, reply })).body;
  }

  /** A 0.6 server would fire templates with budgets as unthrottled jobs. */
  private async requireBudgets(entries: readonly WireCronEntryRequest[]): Promise<void> {
    if (entries.some((entry) => entry.job.budgets)) await requireFeature(this.transport, "budgets");
  }

  private async entryBody(entry: CronEntryInput, field: string): Promise<WireCronEntryRequest> {
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
      job: await enqueueBody(entry.job, this.now()),
    };
    if (entry.timezone !== undefined) body.timezone = entry.timezone;
    if (entry.paused !== undefined) body.paused = entry.paused;
    return body;
  }
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

function cronGroup(wire: WireCronGroup): CronGroup {
  const group: CronGroup = { name: wire.name, paused: wire.paused, entries: wire.entries.map(cronEntry) };
  if (wire.timezone != null) group.timezone = wire.timezone;
  if (wire.paused_at != null) group.pausedAt = wire.paused_at;
  if (wire.resumed_at != null) group.resumedAt = wire.resumed_at;
  return group;
}

function cronEntry(wire: WireCronEntry): CronEntry {
  const entry: CronEntry = { name: wire.name, expression: wire.expression, paused: wire.paused, job: template(wire.job) };
  if (wire.timezone != null) entry.timezone = wire.timezone;
  if (wire.paused_at != null) entry.pausedAt = wire.paused_at;
  if (wire.resumed_at != null) entry.resumedAt = wire.resumed_at;
  if (wire.next_enqueue_at != null) entry.nextEnqueueAt = wire.next_enqueue_at;
  if (wire.last_enqueue_at != null) entry.lastEnqueueAt = wire.last_enqueue_at;
  return entry;
}

function template(wire: WireCronEntry["job"]): CronJobTemplate {
  // The server echoes each binding as { key, cost }, its cost resolved (the reply check sees to it).
  const bindings = wire.budgets as WireBudgetBinding[] | undefined;
  const job: CronJobTemplate = { type: wire.type, queue: wire.queue, priority: wire.priority, payload: wire.payload, budgets: budgetBindings(bindings) };
  if (wire.retry_limit != null) job.retryLimit = wire.retry_limit;
  if (wire.backoff) job.backoff = backoff(wire.backoff);
  if (wire.retention) job.retention = retention(wire.retention);
  if (wire.unique_key != null) job.uniqueKey = wire.unique_key;
  if (wire.unique_while != null) job.uniqueWhile = wire.unique_while;
  if (wire.batch) job.batch = { ...wire.batch };
  return job;
}
