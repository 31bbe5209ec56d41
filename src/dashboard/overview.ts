/** The overview: queues by status from the server's count endpoint, throughput, the server. */
import { html } from "./html.ts";
import type { Client } from "../client/client.ts";
import { ZizqProLicenseError } from "../errors/pro-license-error.ts";
import { queryString } from "./filter.ts";
import { formatNumber, home, type Html, page, STATUSES, type View } from "./layout.ts";
import { chart, type Samples } from "./throughput.ts";

/** Pro when the licence-gated cron API answers; free when it refuses with the licence error. */
async function licenceTier(client: Client): Promise<string> {
  try {
    await client.crons.list();
    return "pro";
  } catch (error) {
    if (error instanceof ZizqProLicenseError) return "free";
    throw error;
  }
}

/**
 * Above this many queues the overview counts by status only: a request then costs at most
 * 5 x 8 + 3 = 43 requests to Zizq, within a Workers Free plan's 50 subrequests.
 */
export const MAX_COUNTED_QUEUES = 8;

/** One count request per queue and status, all at once (no job is listed); none per queue past the cap. */
async function countsByQueue(client: Client, queues: string[]): Promise<Map<string, number[]>> {
  if (queues.length > MAX_COUNTED_QUEUES) return new Map();
  const rows = await Promise.all(queues.map((queue) => Promise.all(STATUSES.map((status) => client.jobs({ queue, status }).count()))));
  return new Map(queues.map((queue, i) => [queue, rows[i]!]));
}

/** Jobs per status over every queue: summed from the rows, or counted when there are none. */
async function totalsOf(client: Client, counts: Map<string, number[]>, queues: string[]): Promise<number[]> {
  if (counts.size === queues.length) return STATUSES.map((_, i) => [...counts.values()].reduce((sum, row) => sum + row[i]!, 0));
  return Promise.all(STATUSES.map((status) => client.jobs({ status }).count()));
}

export async function overviewPage(view: View, client: Client, samples: Samples, refreshSeconds: number | undefined, notice?: string): Promise<Html> {
  const queues = await client.queues();
  const [counts, version, tier] = await Promise.all([countsByQueue(client, queues), client.serverVersion(), licenceTier(client)]);
  const totals = await totalsOf(client, counts, queues);
  samples.add({ at: Date.now(), completed: totals[STATUSES.indexOf("completed")]!, dead: totals[STATUSES.indexOf("dead")]! });
  const cell = (count: number, queue: string | undefined, status: string) =>
    html`<td class="n">${count === 0 ? html`<span class="muted">0</span>` : html`<a href="${view.base}/jobs${queryString({ queue, status })}">${formatNumber(count)}</a>`}</td>`;
  const rows = [...counts].map(
    ([queue, row]) =>
      html`<tr><th scope="row"><a href="${view.base}/jobs${queryString({ queue })}">${queue}</a></th>${row.map((count, i) => cell(count, queue, STATUSES[i]!))}<td class="n">${formatNumber(
        row.reduce((a, b) => a + b, 0),
      )}</td></tr>`,
  );
  const refresh = refreshSeconds
    ? html`<a href="${home(view)}">Stop auto-refresh</a>`
    : html`<a href="${home(view)}?refresh=5">Auto-refresh every 5 s</a>`;
  const body = html`<h1>Overview</h1>
<div class="cards">${STATUSES.map((status, i) => html`<div class="card"><span class="s-${status}">${status.replace("_", " ")}</span><b>${formatNumber(totals[i]!)}</b></div>`)}
<div class="card"><span class="muted">server</span><b class="mono">Zizq ${version}</b><span class="muted">licence: ${tier}</span></div></div>
<h2>Queues</h2>${
    queues.length === 0
      ? html`<p class="muted">No queue holds a job.</p>`
      : counts.size === 0
      ? html`<p>${formatNumber(queues.length)} queues (counted per queue up to ${MAX_COUNTED_QUEUES}): ${queues.map(
          (queue, i) => html`${i === 0 ? "" : ", "}<a href="${view.base}/jobs${queryString({ queue })}">${queue}</a>`,
        )}</p>`
      : html`<table><thead><tr><th>queue</th>${STATUSES.map((status) => html`<th class="n">${status.replace("_", " ")}</th>`)}<th class="n">total</th></tr></thead>
<tbody>${rows}</tbody><tfoot><tr><th scope="row">all</th>${totals.map((count, i) => cell(count, undefined, STATUSES[i]!))}<td class="n">${formatNumber(totals.reduce((a, b) => a + b, 0))}</td></tr></tfoot></table>`
  }
<h2>Throughput</h2>${chart(samples)}<p>${refresh}</p>`;
  return page(view, "Overview", body, notice, refreshSeconds);
}
