/** The job list: the Client's lazy query, one page at a time, with the server's count. */
import { html } from "./html.ts";
import type { Client } from "../client/client.ts";
import type { Order } from "../types/filter.ts";
import type { Job } from "../types/job.ts";
import { type FilterFields, jobFilter, queryString } from "./filter.ts";
import { formatNumber, type Html, page, STATUSES, statusBadge, time, type View } from "./layout.ts";

export const PAGE_SIZE = 50;

/** One page in the given order, starting after `after`, and whether another follows. */
async function onePage(client: Client, fields: FilterFields, order: Order, after: string | undefined): Promise<{ jobs: Job[]; more: boolean }> {
  let query = client.jobs(jobFilter(fields)).order(order).pageSize(PAGE_SIZE + 1);
  if (after) query = query.after(after);
  const jobs: Job[] = [];
  for await (const job of query) {
    if (jobs.length === PAGE_SIZE) return { jobs, more: true };
    jobs.push(job);
  }
  return { jobs, more: false };
}

function filterForm(view: View, fields: FilterFields, order: Order): Html {
  const option = (value: string, label: string, current: string | undefined) =>
    html`<option value="${value}"${value === (current ?? "") ? html` selected` : ""}>${label}</option>`;
  return html`<form class="filters" method="get" action="${view.base}/jobs">
<label>queue<input name="queue" value="${fields.queue ?? ""}" placeholder="any"></label>
<label>type<input name="type" value="${fields.type ?? ""}" placeholder="any"></label>
<label>status<select name="status">${option("", "any", fields.status)}${STATUSES.map((status) => option(status, status.replace("_", " "), fields.status))}</select></label>
<label>jq filter on the payload<input name="jq" class="mono" size="32" value="${fields.jq ?? ""}" placeholder=".tenant == 7"></label>
<label>order<select name="order">${option("desc", "newest first", order)}${option("asc", "oldest first", order)}</select></label>
<button>Filter</button> <a href="${view.base}/jobs">Clear</a></form>`;
}

function bulkLinks(view: View, fields: FilterFields, count: number): Html | "" {
  if (view.readOnly || count === 0) return "";
  const link = (action: string, label: string) => html`<a class="button" href="${view.base}/bulk${queryString(fields, { action })}">${label}</a>`;
  return html`<div class="actions">${link("retry", `Retry matching…`)}${link("kill", `Kill matching…`)}${link("delete", `Delete matching…`)}</div>`;
}

export async function jobsPage(view: View, client: Client, fields: FilterFields, order: Order, after: string | undefined, notice?: string): Promise<Html> {
  const [count, { jobs, more }] = await Promise.all([client.jobs(jobFilter(fields)).count(), onePage(client, fields, order, after)]);
  const rows = jobs.map(
    (job) => html`<tr><td class="mono"><a href="${view.base}/jobs/${encodeURIComponent(job.id)}">${job.id}</a></td><td>${job.type}</td><td>${job.queue}</td><td>${statusBadge(
      job.status,
    )}</td><td class="n">${job.attempts}</td><td class="n">${job.priority}</td><td>${time(job.readyAt)}</td></tr>`,
  );
  const last = jobs[jobs.length - 1];
  const next = more && last ? html`<a href="${view.base}/jobs${queryString(fields, { order, after: last.id })}">Next page →</a>` : "";
  const first = after ? html`<a href="${view.base}/jobs${queryString(fields, { order })}">← First page</a>` : "";
  const body = html`<h1>Jobs</h1>${filterForm(view, fields, order)}
<p><b>${formatNumber(count)}</b> ${count === 1 ? "job matches" : "jobs match"}.</p>${bulkLinks(view, fields, count)}
${
  jobs.length === 0
    ? html`<p class="muted">No job on this page.</p>`
    : html`<table><thead><tr><th>id</th><th>type</th><th>queue</th><th>status</th><th class="n">attempts</th><th class="n">priority</th><th>ready at</th></tr></thead><tbody>${rows}</tbody></table>`
}
<p>${first} ${next}</p>`;
  return page(view, "Jobs", body, notice);
}
