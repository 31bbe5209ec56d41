import type { CronEntry, CronGroup } from "../types/cron.ts";
import { lazy } from "../utils/lazy.ts";
import type { CronEntryInput, CronGroupInput } from "./cron-calls.ts";
import type { Transport } from "./transport.ts";

export type { CronEntryInput, CronGroupInput };

/** The calls load with the first one, so a producer's bundle carries only this class. */
const calls = lazy(() => import("./cron-calls.ts"));

/**
 * Cron groups and entries (Zizq Pro), as `client.crons`. Every call throws
 * `ZizqProLicenseError` on the free tier.
 *
 * @example
 * ```ts
 * await client.crons.put("reports", {
 *   entries: [{ name: "nightly", expression: "0 3 * * *", timezone: "Europe/Paris", job: Report.with({ kind: "daily" }) }],
 * });
 * ```
 */
export class Crons {
  /** @internal Use `client.crons`. */
  constructor(
    private readonly transport: Transport,
    private readonly now: () => number,
  ) {}

  /** Names of every group, sorted. */
  async list(): Promise<string[]> {
    return (await calls()).list(this.transport);
  }

  /** A group with its entries sorted by name; `ZizqNotFoundError` when missing. */
  async get(group: string): Promise<CronGroup> {
    return (await calls()).get(this.transport, group);
  }

  /** Creates or replaces a group; entries not listed are removed, unchanged schedules are kept. */
  async put(group: string, spec: CronGroupInput): Promise<CronGroup> {
    return (await calls()).put(this.transport, this.now(), group, spec);
  }

  /**
   * Sets the zone of the group's entries that set none, or clears it with `null` (Zizq 0.7);
   * those entries are rescheduled in the new zone. Pausing is left as it is.
   */
  async setTimezone(group: string, timezone: string | null): Promise<CronGroup> {
    return (await calls()).setGroupTimezone(this.transport, group, timezone);
  }

  /** Pauses every entry of the group (their schedules keep advancing, nothing is enqueued). */
  async pause(group: string): Promise<CronGroup> {
    return (await calls()).setGroupPaused(this.transport, group, true);
  }

  /** Resumes a paused group. */
  async resume(group: string): Promise<CronGroup> {
    return (await calls()).setGroupPaused(this.transport, group, false);
  }

  /** Deletes a group and its entries; `ZizqNotFoundError` when missing. */
  async delete(group: string): Promise<void> {
    return (await calls()).remove(this.transport, group);
  }

  /** Deletes every group; answers how many there were. */
  async deleteAll(): Promise<number> {
    return (await calls()).removeAll(this.transport);
  }

  /** Adds an entry (creating the group); `ZizqConflictError` when the name is taken. */
  async addEntry(group: string, entry: CronEntryInput): Promise<CronEntry> {
    return (await calls()).addEntry(this.transport, this.now(), group, entry);
  }

  /** One entry; `ZizqNotFoundError` when it or its group is missing. */
  async getEntry(group: string, name: string): Promise<CronEntry> {
    return (await calls()).getEntry(this.transport, group, name);
  }

  /** Creates or replaces an entry (creating the group). */
  async putEntry(group: string, entry: CronEntryInput): Promise<CronEntry> {
    return (await calls()).putEntry(this.transport, this.now(), group, entry);
  }

  /** Pauses one entry. */
  async pauseEntry(group: string, name: string): Promise<CronEntry> {
    return (await calls()).setEntryPaused(this.transport, group, name, true);
  }

  /** Resumes one entry. */
  async resumeEntry(group: string, name: string): Promise<CronEntry> {
    return (await calls()).setEntryPaused(this.transport, group, name, false);
  }

  /** Deletes one entry; the group stays, even when empty. */
  async deleteEntry(group: string, name: string): Promise<void> {
    return (await calls()).removeEntry(this.transport, group, name);
  }
}
