/** The confirmation step of a bulk action: what it does, to how many jobs, and one button. */
import { html } from "./html.ts";
import { describeFilter, type FilterFields, queryString } from "./filter.ts";
import { actionForm, formatNumber, type Html, page, type View } from "./layout.ts";
import type { JobAction } from "./actions.ts";

const WHAT: Record<JobAction, string> = {
  retry: "make scheduled jobs ready now and enqueue a fresh copy of each dead job (deleting the dead one)",
  kill: "fail every job in flight with kill, so it is dead at once",
  delete: "delete every matching job, whatever its status",
};

export function bulkPage(view: View, action: JobAction, fields: FilterFields, count: number): Html {
  const cancel = html`<a href="${view.base}/jobs${queryString(fields)}">Cancel</a>`;
  const body = html`<h1>${action[0]!.toUpperCase()}${action.slice(1)} matching jobs?</h1>
<p>Filter: <b>${describeFilter(fields)}</b>.</p>
<p>This will ${WHAT[action]}: <b>${formatNumber(count)}</b> ${count === 1 ? "job" : "jobs"} now.</p>
${count === 0 ? html`<p class="muted">Nothing to do.</p>` : html`<div class="actions">${actionForm(view, "/bulk", `Yes, ${action} ${formatNumber(count)}`, { action, confirm: "yes", count: String(count), ...fields } as Record<string, string>, true)} ${cancel}</div>`}
${count === 0 ? cancel : ""}`;
  return page(view, `Confirm ${action}`, body);
}
