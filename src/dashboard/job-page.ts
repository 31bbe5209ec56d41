/** One job: its settings, payload, budgets, error history and the actions its status allows. */
import { html } from "./html.ts";
import type { Client } from "../client/client.ts";
import { ZizqNotFoundError } from "../errors/http-error.ts";
import type { Budget } from "../types/budget.ts";
import type { Job } from "../types/job.ts";
import { actionForm, formatNumber, type Html, page, statusBadge, time, type View } from "./layout.ts";
import { payloadTree } from "./payload.ts";
import { allowedActions, type JobAction } from "./actions.ts";


const LABELS: Record<JobAction, string> = { retry: "Retry now", kill: "Kill", delete: "Delete" };

function settings(job: Job): Html {
  const row = (label: string, value: unknown) => (value === undefined ? "" : html`<dt>${label}</dt><dd>${value}</dd>`);
  const json = (value: unknown) => (value === undefined ? undefined : html`<code>${JSON.stringify(value)}</code>`);
  return html`<dl>
${row("status", statusBadge(job.status))}${row("type", job.type)}${row("queue", job.queue)}${row("priority", job.priority)}
${row("attempts", `${job.attempts} failed${job.retryLimit === undefined ? "" : ` of ${job.retryLimit + 1} allowed runs`}`)}
${row("ready at", time(job.readyAt))}${row("dequeued at", job.dequeuedAt === undefined ? undefined : time(job.dequeuedAt))}
${row("failed at", job.failedAt === undefined ? undefined : time(job.failedAt))}${row("completed at", job.completedAt === undefined ? undefined : time(job.completedAt))}
${row("purged at", job.purgeAt === undefined ? undefined : time(job.purgeAt))}${row("unique key", job.uniqueKey === undefined ? undefined : html`<code>${job.uniqueKey}</code> (while ${job.uniqueWhile ?? "queued"})`)}
${row("backoff", json(job.backoff))}${row("retention", json(job.retention))}${row("batch", json(job.batch))}
</dl>`;
}

function policy(budget: Budget | undefined): Html {
  if (!budget) return html`<span class="muted">not defined</span>`;
  const { strategy } = budget;
  if (strategy.type === "time_based") {
    const burst = strategy.burst === undefined ? "" : `, burst ${formatNumber(strategy.burst)}`;
    return html`${formatNumber(budget.allocation)} per ${formatNumber(strategy.durationMs)} ms${burst}`;
  }
  if (strategy.type === "while_in_flight") return html`${formatNumber(budget.allocation)} in flight at once`;
  return html`${formatNumber(budget.allocation)} (${strategy.kind})`;
}

/** The job's bindings with each budget's policy, read from the server (a budget may be gone). */
async function budgets(client: Client, job: Job): Promise<Html> {
  if (job.budgets.length === 0) return html`<p class="muted">This job draws on no budget.</p>`;
  const found = await Promise.all(
    job.budgets.map(({ key }) =>
      client.budgets.get(key).catch((error: unknown) => {
        if (error instanceof ZizqNotFoundError) return undefined;
        throw error;
      }),
    ),
  );
  return html`<table><thead><tr><th>budget key</th><th class="n">cost</th><th>policy</th></tr></thead><tbody>${job.budgets.map(
    (binding, i) => html`<tr><td class="mono">${binding.key}</td><td class="n">${formatNumber(binding.cost)}</td><td>${policy(found[i])}</td></tr>`,
  )}</tbody></table>`;
}

async function errorHistory(client: Client, job: Job): Promise<Html> {
  if (job.attempts === 0) return html`<p class="muted">No failed attempt.</p>`;
  const records = await client.errors(job.id).toArray();
  if (records.length === 0) return html`<p class="muted">The server keeps no error record for this job.</p>`;
  // Newest first: the last failure is the one a reader came for.
  return html`${records.reverse().map(
    (record) => html`<details class="attempt"${record.attempt === job.attempts ? html` open` : ""}><summary>Attempt ${record.attempt}: <b>${record.errorType ?? "Error"}</b> ${
      record.message
    } <span class="muted">· ${time(record.failedAt)}</span></summary>${record.backtrace ? html`<pre>${record.backtrace}</pre>` : html`<p class="muted">No backtrace.</p>`}</details>`,
  )}`;
}

export async function jobPage(view: View, client: Client, job: Job, notice?: string): Promise<Html> {
  const path = `/jobs/${encodeURIComponent(job.id)}`;
  const actions = allowedActions(job.status).map((action) => actionForm(view, `${path}/${action}`, LABELS[action], {}, action !== "retry"));
  const body = html`<p><a href="${view.base}/jobs">← Jobs</a></p><h1>${job.type} <span class="mono">${job.id}</span></h1>
${view.readOnly ? "" : html`<div class="actions">${actions}</div>`}
${settings(job)}
<h2>Payload</h2><details open><summary>JSON (${formatNumber(JSON.stringify(job.payload)?.length ?? 0)} characters)</summary>${payloadTree(job.payload)}</details>
<h2>Errors</h2>${await errorHistory(client, job)}
<h2>Budgets</h2>${await budgets(client, job)}`;
  return page(view, `Job ${job.id}`, body, notice);
}
