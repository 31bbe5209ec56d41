/**
 * The page shell and the small pieces every page draws with. Every value goes through the
 * `html` template, which escapes what it interpolates; `raw` is used only for the constant CSS
 * and script below.
 */
import { type Html, html, raw } from "./html.ts";
import { JOB_STATUSES } from "../protocol/wire.ts";
import type { JobStatus } from "../types/job.ts";
import { CSRF_FIELD } from "./security.ts";

export type { Html };

/** What every page knows about its request. */
export interface View {
  base: string;
  nonce: string;
  csrf: string;
  readOnly: boolean;
  /** Whether `authorize` let this request through: failures are described only then. */
  authorized: boolean;
}

/** The statuses in a job's life order for columns and menus: ready leads, as the work waiting now. */
export const STATUSES: readonly JobStatus[] = ["ready", ...JOB_STATUSES.filter((status) => status !== "ready")];

const CSS = `
:root{color-scheme:light dark;--fg:#1d232b;--muted:#66707c;--bg:#fff;--panel:#f5f6f8;--line:#d9dde3;--accent:#2f5fd0;--bad:#b3261e;--ok:#1e7b34;--warn:#98650b}
@media (prefers-color-scheme:dark){:root{--fg:#e5e8ec;--muted:#9aa3ad;--bg:#15181c;--panel:#1e2227;--line:#343a42;--accent:#7ea2ff;--bad:#ff8a80;--ok:#7bd88f;--warn:#f0c36b}}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;gap:1.2rem;align-items:center;padding:.6rem 1.2rem;border-bottom:1px solid var(--line);background:var(--panel)}
header strong{font-size:15px}header nav{display:flex;gap:.9rem}a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
main{padding:1rem 1.2rem;max-width:1200px}h1{font-size:20px;margin:.2rem 0 1rem}h2{font-size:16px;margin:1.4rem 0 .5rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
thead th{font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.03em}tbody th,tfoot th{font-weight:500}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
code,pre,.mono{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}h1 .mono{font-size:18px}pre{background:var(--panel);padding:.6rem;overflow:auto;margin:.3rem 0;white-space:pre-wrap;word-break:break-word}
.muted{color:var(--muted)}.badge{display:inline-block;padding:0 .45rem;border-radius:9px;font-size:12px;border:1px solid currentColor}
.s-dead{color:var(--bad)}.s-completed{color:var(--ok)}.s-in_flight{color:var(--accent)}.s-scheduled{color:var(--warn)}.s-ready{color:var(--fg)}
form.inline{display:inline}button,.button{font:inherit;padding:.25rem .7rem;border:1px solid var(--line);border-radius:5px;background:var(--bg);color:var(--fg);cursor:pointer}
button.danger{border-color:var(--bad);color:var(--bad)}input,select{font:inherit;padding:.25rem .4rem;border:1px solid var(--line);border-radius:5px;background:var(--bg);color:var(--fg)}
.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin-bottom:1rem}.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted)}
.notice{padding:.5rem .8rem;border-left:3px solid var(--ok);background:var(--panel);margin-bottom:1rem}.error{border-left-color:var(--bad)}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:.6rem .9rem;min-width:9rem}
.card b{display:block;font-size:20px}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}dt{color:var(--muted)}dd{margin:0}
details>summary{cursor:pointer}.tree{margin-left:1.1rem}.tree details{margin:.1rem 0}.actions{display:flex;gap:.5rem;margin:.8rem 0}h2 button{font-size:13px;font-weight:400;vertical-align:middle}
svg.chart{background:var(--panel);border:1px solid var(--line);border-radius:6px}svg text{fill:var(--muted);font-size:11px}
`;

// Timestamps arrive in UTC, readable without JavaScript; this turns them into the viewer's zone.
const SCRIPT = `for(const t of document.querySelectorAll("time[datetime]")){t.title=t.textContent;t.textContent=new Date(t.dateTime).toLocaleString()}`;

/** The overview's address: the mount path itself (Hono matches "/admin/zizq", not "/admin/zizq/"). */
export function home(view: View): string {
  return view.base === "" ? "/" : view.base;
}

/** A whole page: the shell, the navigation and a notice carried over from an action. */
export function page(view: View, title: string, body: Html, notice?: string, refreshSeconds?: number): Html {
  const { base, nonce } = view;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · Zizq</title><link rel="icon" href="data:,">${refreshSeconds ? html`<meta http-equiv="refresh" content="${refreshSeconds}">` : ""}
<style nonce="${nonce}">${raw(CSS)}</style></head>
<body><header><strong>Zizq</strong><nav><a href="${home(view)}">Overview</a><a href="${base}/jobs">Jobs</a><a href="${base}/crons">Crons</a></nav>${
    view.readOnly ? html`<span class="badge muted">read-only</span>` : ""
  }</header>
<main>${notice ? html`<p class="notice" role="status">${notice}</p>` : ""}${body}</main>
<script nonce="${nonce}">${raw(SCRIPT)}</script></body></html>`;
}

/** A page that explains a refusal or a failure, with its status code. */
export function problemPage(view: View, title: string, message: string): Html {
  return page(view, title, html`<h1>${title}</h1><p class="notice error">${message}</p><p><a href="${home(view)}">Back to the overview</a></p>`);
}

/** A timestamp: UTC text the script turns into the viewer's zone. */
export function time(ms: number | undefined): Html {
  if (ms === undefined) return html`<span class="muted">–</span>`;
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 19).replace("T", " ")} UTC</time>`;
}

export function statusBadge(status: string): Html {
  return html`<span class="badge s-${status}">${status.replace("_", " ")}</span>`;
}

/** A POST button with the CSRF token and hidden fields; none when the dashboard is read-only. */
export function actionForm(view: View, action: string, label: string, fields: Record<string, string> = {}, danger = false): Html | "" {
  if (view.readOnly) return "";
  const hidden = Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  return html`<form class="inline" method="post" action="${view.base}${action}"><input type="hidden" name="${CSRF_FIELD}" value="${view.csrf}">${hidden}<button${
    danger ? html` class="danger"` : ""
  }>${label}</button></form>`;
}

export function formatNumber(n: number): string {
  return n.toLocaleString("en-US");
}
