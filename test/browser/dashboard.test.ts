/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core (never a
 * downloaded browser). Screenshots of the three main pages go to test-results/dashboard/.
 */
import { existsSync, mkdirSync } from "node:fs";
import { Hono } from "hono";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zizqDashboard } from "../../adapters/hono.ts";
import { serve } from "../../adapters/node.ts";
import type { ServerHandle } from "../../src/adapter/serve.ts";
import { type SeededServer, seededServer } from "../../scripts/dashboard-seed.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = new URL("../../test-results/dashboard/", import.meta.url).pathname;
const BASE = "/admin/zizq";

let seeded: SeededServer;
let handle: ServerHandle;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];
const offOrigin: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The dashboard's browser test needs Chromium at ${CHROMIUM}: apt-get install -y --no-install-recommends chromium fonts-dejavu-core (or set CHROMIUM_PATH)`,
    );
  }
  seeded = await seededServer();
  const app = new Hono().route(BASE, zizqDashboard({ client: seeded.client, authorize: () => true }));
  handle = await serve(app, { port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: "Europe/Paris", locale: "en-GB" });
  // Every request is checked: one to any other origin is recorded and never sent.
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (new URL(url).origin === handle.url) return route.continue();
    offOrigin.push(url);
    return route.abort();
  });
  page = await context.newPage();
  page.setDefaultTimeout(5_000);
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  mkdirSync(SHOTS, { recursive: true });
  console.log(`dashboard screenshots: ${SHOTS}`);
});

afterAll(async () => {
  await browser?.close();
  await handle?.close();
  await seeded?.close();
});

const url = (path: string) => `${handle.url}${BASE}${path}`;
/** The text of the first element matching, once it is there. */
const text = (selector: string) => page.locator(selector).first().innerText();

describe("the dashboard in Chromium", () => {
  it("shows the overview with counts per queue and the server", async () => {
    await page.goto(url(""));
    expect(await text("h1")).toBe("Overview");
    expect(await page.locator(".card", { hasText: "server" }).innerText()).toMatch(/Zizq 0\.7\.0\s+licence: pro/);
    expect(await page.locator("tbody tr").filter({ has: page.locator("th", { hasText: /^images$/ }) }).locator("td").nth(2).innerText()).toBe("3");
    // Two more samples for the throughput chart, one job finishing between them.
    await page.reload();
    const taken = (await seeded.client.take({ queues: ["emails"], prefetch: 1 })).getReader();
    await seeded.client.ack((await taken.read()).value!.id);
    await taken.cancel();
    await page.reload();
    expect(await page.locator("svg.chart polyline").count()).toBe(2);
    await page.screenshot({ path: `${SHOTS}overview.png`, fullPage: true });
  });

  it("filters the job list", async () => {
    await page.goto(url("/jobs"));
    await page.locator('select[name="status"]').selectOption("dead");
    await page.locator('input[name="queue"]').fill("webhooks");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/status=dead/);
    expect(new URL(page.url()).searchParams.get("queue")).toBe("webhooks");
    expect(await page.locator("tbody tr").count()).toBe(1);
    expect(await text("tbody tr")).toContain("deliver_webhook");
    await page.goto(url("/jobs"));
    await page.screenshot({ path: `${SHOTS}jobs.png` });
  });

  it("opens a dead job, shows its errors in the viewer's zone, retries it, and it leaves the dead list", async () => {
    await page.goto(url("/jobs?status=dead&type=deliver_webhook"));
    await page.locator("tbody tr a").first().click();
    expect(await text("details.attempt[open] summary")).toContain("NonRetryableError HTTP 410 Gone: endpoint removed");
    expect(await text("details.attempt[open] pre")).toContain("at deliverWebhook (/srv/app/src/jobs/webhooks.ts:42:11)");
    expect(await page.locator("details.attempt").count()).toBe(3);
    // The script ran under the CSP: no timestamp is left in UTC.
    expect(await text("time")).not.toContain("UTC");
    expect(await page.locator("time").first().getAttribute("title")).toMatch(/ UTC$/);
    expect(await text(".tree")).toContain(`note: ${JSON.stringify(`<script>alert("not run")</script> & 'quotes'`)}`);
    await page.screenshot({ path: `${SHOTS}job.png`, fullPage: true });

    const deadId = page.url().split("/").pop()!;
    await page.getByRole("button", { name: "Retry now" }).click();
    await page.waitForURL(/notice=/);
    expect(await text(".notice")).toContain(`Job ${deadId} was enqueued again as`);
    expect(await text("dd .badge")).toBe("ready");
    await page.goto(url("/jobs?status=dead"));
    expect(await page.locator("tbody tr").count()).toBe(1);
    expect(await page.locator("tbody").textContent()).not.toContain(deadId);
  });

  it("refuses an action whose form lost its CSRF token", async () => {
    const [dead] = await seeded.client.jobs({ status: "dead" }).toArray();
    await page.goto(url(`/jobs/${dead!.id}`));
    await page.locator(`form[action$="/delete"] input[name="_csrf"]`).evaluate((input) => input.remove());
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.getByRole("button", { name: "Delete" }).click()]);
    expect(response.status()).toBe(403);
    expect(await text(".notice.error")).toContain("Refused: the form's CSRF token is missing");
    expect((await seeded.client.getJob(dead!.id)).status).toBe("dead");
    // The refusal is the expected console line; nothing else may be there.
    const refused = problems.findIndex((text) => text.includes("403"));
    expect(refused).not.toBe(-1);
    problems.splice(refused, 1);
  });

  it("pauses a cron group", async () => {
    await page.goto(url("/crons"));
    await page.locator(`form[action="${BASE}/crons/reports/pause"] button`).click();
    await page.waitForURL(/notice=/);
    expect(await text(".notice")).toBe("Paused cron group reports.");
    expect((await seeded.client.crons.get("reports")).paused).toBe(true);
    await page.screenshot({ path: `${SHOTS}crons.png`, fullPage: true });
  });

  it("reads with JavaScript off, timestamps in UTC", async () => {
    const plain = await browser.newContext({ javaScriptEnabled: false });
    const other = await plain.newPage();
    await other.goto(url("/jobs?status=dead"));
    expect(await other.locator("time").first().innerText()).toMatch(/^\d{4}-\d\d-\d\d [\d:]+ UTC$/);
    await plain.close();
  });

  it("logged no console error and sent no request off its origin", () => {
    expect(problems).toEqual([]);
    expect(offOrigin).toEqual([]);
  });
});
