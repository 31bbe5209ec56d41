import { Cron } from "croner";
import type { WireCronEntry, WireCronGroup, WireEnqueue } from "../../protocol/wire.ts";
import type { CronEntry, CronGroup } from "../../types/cron.ts";
import type { CronEntryInput, EnqueueInput } from "../http/requests.ts";
import { wireRetention } from "../../protocol/mapping/enqueue.ts";
import { f32Decimal } from "../store/job.ts";
import { compareUtf8, storedPayload } from "../store/payload.ts";
import { DEFAULT_PRIORITY } from "../store/job.ts";

/** An entry as the client sees it, holding the parsed template it enqueues (budgets resolved). */
interface Entry extends Omit<CronEntry, "job"> {
  job: EnqueueInput;
  /** The zone `nextEnqueueAt` was computed in: the entry's own, else its group's. */
  zone?: string | undefined;
}

interface Group extends Omit<CronGroup, "entries"> {
  /** Zizq 0.7: the zone of entries that name none. */
  timezone?: string;
  entries: Map<string, Entry>;
}

export interface CronOptions {
  /** Zizq 0.7 reschedules an entry whose zone changed; 0.6.1 kept the schedule while the expression stayed. */
  rescheduleOnZoneChange: boolean;
}

/** A cron rule the server answers with 400 (or 404/409 where `status` says). */
export class CronError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

const groupNotFound = (group: string) => new CronError(404, `cron group '${group}' not found`);
const entryNotFound = (group: string, entry: string) =>
  new CronError(404, `cron entry '${entry}' not found in group '${group}'`);

/**
 * The first occurrence strictly after `now` truncated to whole seconds, in ms; undefined when
 * the expression never fires again. Checks the expression, then the zone, as the server does.
 */
export function nextOccurrence(expression: string, timezone: string | undefined, now: number): number | undefined {
  let cron: Cron;
  try {
    cron = new Cron(expression, { paused: true });
  } catch (error) {
    throw new CronError(400, `invalid cron expression: ${describeCronError(error)}`);
  }
  if (timezone !== undefined) {
    checkTimeZone(timezone);
    cron = new Cron(expression, { paused: true, timezone });
  }
  const next = cron.nextRun(new Date(Math.floor(now / 1000) * 1000));
  return next ? next.getTime() : undefined;
}

/** croner's complaint in the words of the Rust croner the server uses, where they differ. */
function describeCronError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes("space separated parts are required")) {
    return "Invalid pattern: Pattern must have between 5 and 7 fields.";
  }
  return `Invalid pattern: ${message.replace(/^CronPattern: /, "")}`;
}

/** 400 unless the name is an IANA zone. */
export function checkTimeZone(name: string): void {
  if (!isTimeZone(name)) throw new CronError(400, `invalid timezone: ${JSON.stringify(name)}`);
}

/** An IANA zone name, spelled with its exact case as chrono-tz requires (ICU ignores case). */
function isTimeZone(name: string): boolean {
  try {
    const resolved = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
    return resolved === name || resolved.toLowerCase() !== name.toLowerCase();
  } catch {
    return false;
  }
}

/** Cron groups and their entries, and the scheduler that fires them on the server's clock. */
export class CronBook {
  private readonly groups = new Map<string, Group>();

  constructor(
    private readonly now: () => number,
    private readonly fire: (job: EnqueueInput) => void,
    private readonly options: CronOptions,
  ) {}

  names(): string[] {
    return [...this.groups.keys()].sort(compareUtf8);
  }

  deleteAll(): number {
    const count = this.groups.size;
    this.groups.clear();
    return count;
  }

  group(name: string): WireCronGroup {
    const group = this.groups.get(name);
    if (!group) throw groupNotFound(name);
    return groupView(group, [...group.entries.values()].sort((a, b) => compareUtf8(a.name, b.name)));
  }

  deleteGroup(name: string): void {
    if (!this.groups.delete(name)) throw groupNotFound(name);
  }

  /** The zone an entry added to this group would inherit. */
  zoneOf(group: string): string | undefined {
    return this.groups.get(group)?.timezone;
  }

  /**
   * Creates or replaces a group, its zone included (absent clears it). Entries whose expression
   * (and, on 0.7, zone) is unchanged keep their schedule.
   */
  replaceGroup(name: string, paused: boolean | undefined, inputs: CronEntryInput[], timezone?: string): WireCronGroup {
    const now = this.now();
    const old = this.groups.get(name);
    const entries = inputs.map((input) => this.merge(old?.entries.get(input.name), input, now, timezone));
    const group: Group = old ?? { name, paused: false, entries: new Map() };
    if (timezone === undefined) delete group.timezone;
    else group.timezone = timezone;
    if (!old && paused) {
      group.paused = true;
      group.pausedAt = now;
    } else if (paused !== undefined) setPaused(group, paused, now);
    group.entries = new Map(entries.map((entry) => [entry.name, entry]));
    this.groups.set(name, group);
    return groupView(group, entries);
  }

  /** `PATCH /crons/{group}`: a missing field is unchanged; `timezone: null` clears the zone. */
  patchGroup(name: string, patch: { paused?: boolean; timezone?: string | null }): WireCronGroup {
    const group = this.groups.get(name);
    if (!group) throw groupNotFound(name);
    const now = this.now();
    if (patch.paused !== undefined) setPaused(group, patch.paused, now);
    if (patch.timezone !== undefined) {
      if (patch.timezone === null) delete group.timezone;
      else group.timezone = patch.timezone;
      for (const entry of group.entries.values()) this.reschedule(entry, group.timezone, now);
    }
    return this.group(name);
  }

  /** The costs cron templates draw from a budget, by `group/entry`: standing references for its guards. */
  costsDrawnOn(key: string): Array<{ entry: string; cost: number }> {
    const costs = [];
    for (const group of this.groups.values()) {
      for (const entry of group.entries.values()) {
        for (const binding of entry.job.budgets ?? []) {
          if (binding.key === key) costs.push({ entry: `${group.name}/${entry.name}`, cost: binding.cost ?? 1 });
        }
      }
    }
    return costs;
  }

  entry(group: string, name: string): WireCronEntry {
    return entryView(this.findEntry(group, name));
  }

  /** `POST .../entries`: adds an entry, creating the group, and refuses a name that exists. */
  addEntry(groupName: string, input: CronEntryInput): WireCronEntry {
    const entry = this.merge(undefined, input, this.now(), this.zoneOf(groupName));
    if (this.groups.get(groupName)?.entries.has(input.name)) {
      throw new CronError(409, `cron entry '${input.name}' already exists in group '${groupName}'`);
    }
    this.ensureGroup(groupName).entries.set(entry.name, entry);
    return entryView(entry);
  }

  /** `PUT .../entries/{entry}`: creates or replaces; the URL's name wins over the body's. */
  putEntry(groupName: string, name: string, input: CronEntryInput): WireCronEntry {
    const now = this.now();
    const existing = this.groups.get(groupName)?.entries.get(name);
    const entry = this.merge(existing, { ...input, name }, now, this.zoneOf(groupName));
    this.ensureGroup(groupName).entries.set(name, entry);
    return entryView(entry);
  }

  pauseEntry(group: string, name: string, paused: boolean): WireCronEntry {
    const entry = this.findEntry(group, name);
    setPaused(entry, paused, this.now());
    return entryView(entry);
  }

  deleteEntry(group: string, name: string): void {
    this.findEntry(group, name);
    this.groups.get(group)?.entries.delete(name);
  }

  /**
   * Fires every due entry once (missed slots collapse into one), earliest due first, and
   * schedules its next run. An entry whose enqueue fails keeps its schedule and is tried again.
   */
  tick(): void {
    const now = this.now();
    const due: Array<{ group: Group; entry: Entry; at: number }> = [];
    for (const group of this.groups.values()) {
      for (const entry of group.entries.values()) {
        const at = entry.nextEnqueueAt;
        if (at !== undefined && at <= now) due.push({ group, entry, at });
      }
    }
    due.sort((a, b) => a.at - b.at);
    for (const { group, entry } of due) {
      if (!group.paused && !entry.paused) {
        try {
          this.fire({ ...entry.job, readyAt: now });
        } catch (error) {
          console.error(`zizq test server: cron entry '${entry.name}' in group '${group.name}' failed to enqueue`, error);
          continue;
        }
        entry.lastEnqueueAt = now;
      }
      entry.nextEnqueueAt = nextOccurrence(entry.expression, entry.zone, now);
    }
  }

  /** When the next entry falls due, if any. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const group of this.groups.values()) {
      for (const entry of group.entries.values()) {
        if (entry.nextEnqueueAt !== undefined && (next === undefined || entry.nextEnqueueAt < next)) {
          next = entry.nextEnqueueAt;
        }
      }
    }
    return next;
  }

  private ensureGroup(name: string): Group {
    let group = this.groups.get(name);
    if (!group) this.groups.set(name, (group = { name, paused: false, entries: new Map() }));
    return group;
  }

  private findEntry(groupName: string, name: string): Entry {
    const entry = this.groups.get(groupName)?.entries.get(name);
    if (!entry) throw entryNotFound(groupName, name);
    return entry;
  }

  /** A zone change (0.7): the entry gets a new schedule in its new effective zone. */
  private reschedule(entry: Entry, groupZone: string | undefined, now: number): void {
    const zone = entry.timezone ?? groupZone;
    if (zone === entry.zone || !this.options.rescheduleOnZoneChange) return;
    entry.zone = zone;
    const next = nextOccurrence(entry.expression, zone, now);
    if (next === undefined) delete entry.nextEnqueueAt;
    else entry.nextEnqueueAt = next;
  }

  /** The entry an input describes, keeping the old schedule while the expression (and on 0.7 the zone) is unchanged. */
  private merge(old: Entry | undefined, input: CronEntryInput, now: number, groupZone: string | undefined): Entry {
    const zone = input.timezone ?? groupZone;
    const entry: Entry = {
      name: input.name,
      expression: input.expression,
      paused: old?.paused ?? input.paused ?? false,
      job: { ...input.job, payload: storedPayload(input.job.payload) },
      zone,
    };
    if (input.timezone !== undefined) entry.timezone = input.timezone;
    const next = nextOccurrence(input.expression, zone, now);
    if (old) {
      if (old.pausedAt !== undefined) entry.pausedAt = old.pausedAt;
      if (old.resumedAt !== undefined) entry.resumedAt = old.resumedAt;
      if (old.lastEnqueueAt !== undefined) entry.lastEnqueueAt = old.lastEnqueueAt;
      if (input.paused !== undefined) setPaused(entry, input.paused, now);
    }
    const sameZone = !this.options.rescheduleOnZoneChange || old?.zone === zone;
    const schedule = old && old.expression === input.expression && sameZone ? old.nextEnqueueAt : next;
    if (schedule !== undefined) entry.nextEnqueueAt = schedule;
    return entry;
  }
}

/** false→true stamps `paused_at`, true→false stamps `resumed_at`, the same value again changes nothing. */
function setPaused(target: { paused: boolean; pausedAt?: number; resumedAt?: number }, paused: boolean, now: number) {
  if (target.paused === paused) return;
  target.paused = paused;
  if (paused) target.pausedAt = now;
  else target.resumedAt = now;
}

function groupView(group: Group, entries: Entry[]): WireCronGroup {
  // Built in the server's key order; `entries` comes last.
  const view = { name: group.name, paused: group.paused } as WireCronGroup & { timezone?: string };
  if (group.timezone !== undefined) view.timezone = group.timezone;
  if (group.pausedAt !== undefined) view.paused_at = group.pausedAt;
  if (group.resumedAt !== undefined) view.resumed_at = group.resumedAt;
  view.entries = entries.map(entryView);
  return view;
}

function entryView(entry: Entry): WireCronEntry {
  const view: Partial<WireCronEntry> = { name: entry.name, expression: entry.expression };
  if (entry.timezone !== undefined) view.timezone = entry.timezone;
  view.paused = entry.paused;
  if (entry.pausedAt !== undefined) view.paused_at = entry.pausedAt;
  if (entry.resumedAt !== undefined) view.resumed_at = entry.resumedAt;
  view.job = templateView(entry.job);
  if (entry.nextEnqueueAt !== undefined) view.next_enqueue_at = entry.nextEnqueueAt;
  if (entry.lastEnqueueAt !== undefined) view.last_enqueue_at = entry.lastEnqueueAt;
  return view as WireCronEntry;
}

/** The job template echo: priority always present, the optional keys only when set. */
function templateView(job: EnqueueInput): WireCronEntry["job"] {
  const view: WireEnqueue & { priority: number } = {
    type: job.type,
    queue: job.queue,
    priority: job.priority ?? DEFAULT_PRIORITY,
    payload: job.payload,
  };
  if (job.retryLimit !== undefined) view.retry_limit = job.retryLimit;
  if (job.backoff) {
    view.backoff = { exponent: f32Decimal(job.backoff.exponent), base_ms: job.backoff.baseMs, jitter_ms: job.backoff.jitterMs };
  }
  if (job.retention) view.retention = wireRetention(job.retention);
  if (job.uniqueKey !== undefined) view.unique_key = job.uniqueKey;
  if (job.uniqueWhile !== undefined) view.unique_while = job.uniqueWhile as WireEnqueue["unique_while"];
  if (job.batch) view.batch = { ...job.batch };
  if (job.budgets?.length) {
    (view as { budgets?: unknown }).budgets = job.budgets.map(({ key, cost }) => ({ key, cost: cost ?? 1 }));
  }
  return view;
}
