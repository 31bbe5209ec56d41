/**
 * Throughput as the dashboard sees it: every overview render records how many jobs are completed
 * and dead, and the chart draws the growth between records per minute. Zizq keeps no history, so
 * the samples live in this mount (one isolate, one process); completed jobs count only while the
 * server retains them (a completed retention above 0).
 */
import { html } from "./html.ts";
import type { Html } from "./layout.ts";

export interface Sample {
  at: number;
  completed: number;
  dead: number;
}

const WINDOW_MS = 10 * 60_000;
const MAX_SAMPLES = 240;

/** The samples of the last ten minutes, oldest first. */
export class Samples {
  private readonly list: Sample[] = [];

  add(sample: Sample): void {
    this.list.push(sample);
    while (this.list.length > MAX_SAMPLES || (this.list.length > 0 && this.list[0]!.at < sample.at - WINDOW_MS)) this.list.shift();
  }

  /** Jobs finished per minute between consecutive samples; a count that fell (purged jobs) counts 0. */
  rates(): { at: number; completed: number; dead: number }[] {
    const rates = [];
    for (let i = 1; i < this.list.length; i++) {
      const [before, after] = [this.list[i - 1]!, this.list[i]!];
      const minutes = Math.max(after.at - before.at, 1) / 60_000;
      rates.push({
        at: after.at,
        completed: Math.max(after.completed - before.completed, 0) / minutes,
        dead: Math.max(after.dead - before.dead, 0) / minutes,
      });
    }
    return rates;
  }
}

const W = 640;
const H = 140;
const PAD = 28;

/** The rates as two lines (completed, dead) on a small inline SVG; no script, no external file. */
export function chart(samples: Samples): Html {
  const rates = samples.rates();
  if (rates.length < 2) {
    return html`<p class="muted">Throughput appears after a few samples: reload the page, or turn on auto-refresh.</p>`;
  }
  const first = rates[0]!.at;
  const span = Math.max(rates[rates.length - 1]!.at - first, 1);
  const top = Math.max(1, ...rates.map((rate) => Math.max(rate.completed, rate.dead)));
  const x = (at: number) => (PAD + ((at - first) / span) * (W - 2 * PAD)).toFixed(1);
  const y = (value: number) => (H - PAD + 8 - (value / top) * (H - PAD - 8)).toFixed(1);
  const line = (pick: (rate: (typeof rates)[number]) => number) => rates.map((rate) => `${x(rate.at)},${y(pick(rate))}`).join(" ");
  const last = rates[rates.length - 1]!;
  return html`<svg class="chart" role="img" aria-label="Jobs finished per minute" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
<line x1="${PAD}" y1="${y(0)}" x2="${W - PAD}" y2="${y(0)}" stroke="currentColor" stroke-opacity="0.25"/>
<line x1="${PAD}" y1="${y(top)}" x2="${W - PAD}" y2="${y(top)}" stroke="currentColor" stroke-opacity="0.12"/>
<text x="${PAD}" y="${Number(y(top)) - 4}">${Math.round(top)}/min</text><text x="${PAD}" y="${H - 4}">${Math.round(span / 1000)} s ago</text><text x="${W - PAD}" y="${H - 4}" text-anchor="end">now</text>
<polyline fill="none" stroke="#1e9b44" stroke-width="2" points="${line((rate) => rate.completed)}"/>
<polyline fill="none" stroke="#d23b30" stroke-width="2" points="${line((rate) => rate.dead)}"/>
</svg><p class="muted">Last interval: <b class="s-completed">${Math.round(last.completed)} completed/min</b>, <b class="s-dead">${Math.round(last.dead)} dead/min</b>.</p>`;
}
