/** Cron groups and their entries (Zizq Pro), with pause and resume. */
import { html } from "./html.ts";
import type { Client } from "../client/client.ts";
import { ZizqProLicenseError } from "../errors/pro-license-error.ts";
import type { CronGroup } from "../types/cron.ts";
import { actionForm, type Html, page, time, type View } from "./layout.ts";

function pauseToggle(view: View, path: string, paused: boolean): Html | "" {
  return paused ? actionForm(view, `${path}/resume`, "Resume") : actionForm(view, `${path}/pause`, "Pause");
}

function groupSection(view: View, group: CronGroup): Html {
  const path = `/crons/${encodeURIComponent(group.name)}`;
  const entries = group.entries.map((entry) => {
    const entryPath = `${path}/entries/${encodeURIComponent(entry.name)}`;
    return html`<tr><td>${entry.name}</td><td class="mono">${entry.expression}</td><td>${entry.timezone ?? group.timezone ?? "UTC"}</td><td>${entry.job.type} <span class="muted">on</span> ${
      entry.job.queue
    }</td><td>${entry.paused ? html`<span class="badge s-scheduled">paused</span>` : "active"}</td><td>${time(entry.nextEnqueueAt)}</td><td>${time(entry.lastEnqueueAt)}</td><td>${pauseToggle(
      view,
      entryPath,
      entry.paused,
    )}</td></tr>`;
  });
  return html`<h2>${group.name} ${group.paused ? html`<span class="badge s-scheduled">paused</span>` : ""} ${pauseToggle(view, path, group.paused)}</h2>
${group.entries.length === 0 ? html`<p class="muted">No entry.</p>` : html`<table><thead><tr><th>entry</th><th>schedule</th><th>zone</th><th>job</th><th>state</th><th>next</th><th>last</th><th></th></tr></thead><tbody>${entries}</tbody></table>`}`;
}

export async function cronsPage(view: View, client: Client, notice?: string): Promise<Html> {
  let groups: CronGroup[];
  try {
    groups = await Promise.all((await client.crons.list()).map((name) => client.crons.get(name)));
  } catch (error) {
    if (!(error instanceof ZizqProLicenseError)) throw error;
    return page(view, "Crons", html`<h1>Crons</h1><p class="muted">Cron groups need a Zizq Pro licence; this server runs the free tier.</p>`, notice);
  }
  const body = html`<h1>Crons</h1>${groups.length === 0 ? html`<p class="muted">No cron group.</p>` : groups.map((group) => groupSection(view, group))}`;
  return page(view, "Crons", body, notice);
}
