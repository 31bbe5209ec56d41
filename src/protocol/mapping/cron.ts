/**
 * Cron groups and entries as the server reports them, in the library's shapes.
 */
import type { CronEntry, CronGroup, CronJobTemplate } from "../../types/cron.ts";
import type { WireBudgetBinding, WireCronEntry, WireCronGroup } from "../wire.ts";
import { backoff, budgetBindings, retention } from "./job.ts";

export function cronGroup(wire: WireCronGroup): CronGroup {
  const group: CronGroup = { name: wire.name, paused: wire.paused, entries: wire.entries.map(cronEntry) };
  if (wire.timezone != null) group.timezone = wire.timezone;
  if (wire.paused_at != null) group.pausedAt = wire.paused_at;
  if (wire.resumed_at != null) group.resumedAt = wire.resumed_at;
  return group;
}

export function cronEntry(wire: WireCronEntry): CronEntry {
  const entry: CronEntry = { name: wire.name, expression: wire.expression, paused: wire.paused, job: cronJobTemplate(wire.job) };
  if (wire.timezone != null) entry.timezone = wire.timezone;
  if (wire.paused_at != null) entry.pausedAt = wire.paused_at;
  if (wire.resumed_at != null) entry.resumedAt = wire.resumed_at;
  if (wire.next_enqueue_at != null) entry.nextEnqueueAt = wire.next_enqueue_at;
  if (wire.last_enqueue_at != null) entry.lastEnqueueAt = wire.last_enqueue_at;
  return entry;
}

function cronJobTemplate(wire: WireCronEntry["job"]): CronJobTemplate {
  // The server echoes each binding as { key, cost }, its cost resolved (the reply check sees to it).
  const bindings = budgetBindings(wire.budgets as WireBudgetBinding[] | undefined);
  const job: CronJobTemplate = { type: wire.type, queue: wire.queue, priority: wire.priority, payload: wire.payload, budgets: bindings };
  if (wire.retry_limit != null) job.retryLimit = wire.retry_limit;
  if (wire.backoff) job.backoff = backoff(wire.backoff);
  if (wire.retention) job.retention = retention(wire.retention);
  if (wire.unique_key != null) job.uniqueKey = wire.unique_key;
  if (wire.unique_while != null) job.uniqueWhile = wire.unique_while;
  if (wire.batch) job.batch = { ...wire.batch };
  return job;
}
