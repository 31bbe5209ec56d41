/**
 * The status line an action leaves on the next page. A redirect carries a notice key and a few
 * short parameters, never text: a link cannot make the dashboard say a sentence of its own.
 */
import { JOB_ACTIONS, type JobAction } from "./actions.ts";
import { formatNumber } from "./layout.ts";

type Params = Record<string, string>;

/** A parameter: a job id, a count, an action or a cron name, with no space to write prose in. */
const PARAM = /^[\w.:@/-]{1,128}$/;

const NOTICES: Record<string, (p: Params) => string | undefined> = {
  deleted: (p) => `Deleted job ${p.id}.`,
  killed: (p) => `Killed job ${p.id}: it is dead.`,
  ready: (p) => `Job ${p.id} is ready now.`,
  requeued: (p) => `Job ${p.id} was enqueued again as ${p.copy}, ready now.`,
  bulk: (p) =>
    JOB_ACTIONS.includes(p.action as JobAction) && /^\d+$/.test(p.count ?? "") ? `${p.action}: ${formatNumber(Number(p.count))} ${p.count === "1" ? "job" : "jobs"}.` : undefined,
  paused: (p) => (p.entry ? `Paused cron entry ${p.group}/${p.entry}.` : `Paused cron group ${p.group}.`),
  resumed: (p) => (p.entry ? `Resumed cron entry ${p.group}/${p.entry}.` : `Resumed cron group ${p.group}.`),
};

/** The names of a notice's parameters in a query string (the filter's own fields stay apart). */
export const NOTICE_PARAMS = ["id", "copy", "action", "count", "group", "entry"] as const;

/** The notice a query string names, or undefined when the key is unknown or a parameter is not plain. */
export function noticeText(get: (name: string) => string | undefined): string | undefined {
  const key = get("notice");
  if (key === undefined || !Object.hasOwn(NOTICES, key)) return undefined;
  const write = NOTICES[key]!;
  const params: Params = {};
  for (const name of NOTICE_PARAMS) {
    const value = get(`n_${name}`);
    if (value === undefined) continue;
    if (!PARAM.test(value)) return undefined;
    params[name] = value;
  }
  return write(params);
}

/** The query parameters that carry a notice to the next page. */
export function noticeQuery(key: string, params: Params): [string, string][] {
  return [["notice", key], ...Object.entries(params).map(([name, value]): [string, string] => [`n_${name}`, value])];
}
