/** The dashboard's pages, read through a real Hono app: content, escaping, headers, who may see them. */
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { zizqDashboard } from "../../../adapters/hono.ts";
import { Client } from "../../../src/client/client.ts";
import { ZizqArgumentError } from "../../../src/errors/argument-error.ts";
import { BASE, type Mounted, mount, Session } from "./session.ts";

let mounted: Mounted | undefined;
afterEach(async () => {
  await mounted?.seeded.close();
  mounted = undefined;
});

const client = new Client({ url: "http://zizq.test" });

describe("mounting", () => {
  it("refuses to mount without authorize unless told plainly", () => {
    expect(() => zizqDashboard({ client })).toThrow(ZizqArgumentError);
    expect(() => zizqDashboard({ client })).toThrow(/^authorize: a dashboard can delete jobs/);
    expect(() => zizqDashboard({ client, dangerouslyAllowUnauthenticated: true })).not.toThrow();
    expect(() => zizqDashboard({ client, authorize: "yes" as never })).toThrow(/^authorize: expected a function/);
    expect(() => zizqDashboard({ client, authorize: () => true, readonly: true } as never)).toThrow(ZizqArgumentError);
    expect(() => zizqDashboard({ client: {} as Client, authorize: () => true })).toThrow(/^client: expected a zizq-edge Client/);
    expect(() => zizqDashboard({ client, authorize: () => true, basePath: "admin/" })).toThrow(/^basePath:/);
  });

  it("answers 403 when authorize says no, and sends a Response authorize returns as it is", async () => {
    mounted = await mount({ authorize: (c) => c.req.header("x-admin") === "1" });
    const session = new Session(mounted.app);
    const refused = await session.get("/jobs");
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("You may not use this dashboard.");
    expect(refused.text).not.toContain("send_email");
    expect((await session.get("/jobs", { "x-admin": "1" })).status).toBe(200);

    const challenge = await mount({ authorize: () => new Response("login", { status: 401, headers: { "WWW-Authenticate": 'Basic realm="zizq"' } }) });
    const response = await challenge.app.request(`${BASE}/jobs`);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Basic realm="zizq"');
    await challenge.seeded.close();
  });

  it("links under the path it is mounted at, or under basePath when given", async () => {
    mounted = await mount();
    const { text } = await new Session(mounted.app).get("");
    expect(text).toContain(`href="${BASE}/jobs"`);
    const app = new Hono().route("/inner", zizqDashboard({ client: mounted.seeded.client, authorize: () => true, basePath: "/outer/zizq" }));
    expect(await (await app.request("/inner/jobs")).text()).toContain('href="/outer/zizq/jobs/');
  });
});

describe("pages", () => {
  it("draws the overview from count requests alone, with the server's version and licence", async () => {
    mounted = await mount();
    const { status, text } = await new Session(mounted.app).get("");
    expect(status).toBe(200);
    expect(mounted.calls.some((call) => /^GET \/jobs\?/.test(call))).toBe(false);
    expect(mounted.calls.filter((call) => call.startsWith("GET /jobs/count?"))).toHaveLength(5 * 5);
    expect(text).toContain("Zizq 0.7.0");
    expect(text).toContain("licence: pro");
    // emails: 18 ready, 12 completed; images: 3 in flight of 8.
    expect(text).toContain(`<a href="${BASE}/jobs?queue=emails&amp;status=completed">12</a>`);
    expect(text).toContain(`<a href="${BASE}/jobs?queue=images&amp;status=in_flight">3</a>`);
  });

  it("tells a free-tier server by its refused cron API, and says why it shows no cron", async () => {
    const { createTestServer } = await import("../../../src/testing/index.ts");
    const server = createTestServer({ license: "free", version: "0.6.1" });
    const app = new Hono().route(BASE, zizqDashboard({ client: new Client({ url: "http://zizq.test", fetch: server.fetch }), authorize: () => true }));
    const overview = await (await app.request(BASE)).text();
    expect(overview).toContain("Zizq 0.6.1");
    expect(overview).toContain("licence: free");
    expect(overview).toContain("No queue holds a job.");
    expect(await (await app.request(`${BASE}/crons`)).text()).toContain("Cron groups need a Zizq Pro licence; this server runs the free tier.");
    server.close();
  });

  it("lists jobs a page at a time with the server's count, newest or oldest first, by every filter", async () => {
    mounted = await mount();
    const session = new Session(mounted.app);
    for (let i = 0; i < 30; i++) await mounted.seeded.client.enqueueRaw({ type: "ping", queue: "pings", payload: { i } });
    const ids = (text: string) => [...text.matchAll(/<td class="mono"><a href="[^"]+">([^<]+)<\/a>/g)].map((match) => match[1]!);
    const emails = await mounted.seeded.client.jobs({ queue: "emails" }).toArray();
    const all = await mounted.seeded.client.jobs().toArray();
    const first = await session.get("/jobs");
    expect(first.text).toContain(`<b>${all.length}</b> jobs match.`);
    expect(ids(first.text)).toEqual(all.map((job) => job.id).reverse().slice(0, 50));
    const next = /href="([^"]+after=[^"]+)">Next page/.exec(first.text)![1]!.replaceAll("&amp;", "&");
    expect(ids((await session.get(next.slice(BASE.length))).text)).toEqual(all.map((job) => job.id).reverse().slice(50, 100));
    expect(all).toHaveLength(80);

    const oldest = await session.get("/jobs?queue=emails&order=asc");
    expect(ids(oldest.text)).toEqual(emails.map((job) => job.id));
    expect((await session.get("/jobs?status=dead")).text).toContain("<b>2</b> jobs match.");
    expect(ids((await session.get("/jobs?type=charge_card&status=scheduled")).text)).toHaveLength(2);
    expect(ids((await session.get(`/jobs?jq=${encodeURIComponent('.template == "welcome"')}`)).text)).toHaveLength(10);
    const bad = await session.get("/jobs?jq=%28%28");
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("invalid filter");
  });

  it("shows a dead job's settings, payload, budgets and every error with its backtrace, in UTC for readers without JavaScript", async () => {
    mounted = await mount();
    const [dead] = await mounted.seeded.client.jobs({ type: "deliver_webhook" }).toArray();
    const { text } = await new Session(mounted.app).get(`/jobs/${dead!.id}`);
    for (const message of ["connect ECONNREFUSED 10.0.0.12:443", "HTTP 502 Bad Gateway", "HTTP 410 Gone: endpoint removed", "at deliverWebhook (/srv/app/src/jobs/webhooks.ts:42:11)"]) {
      expect(text).toContain(message);
    }
    expect(text).toMatch(/<time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z">\d{4}-\d\d-\d\d [\d:]+ UTC<\/time>/);
    const [charge] = await mounted.seeded.client.jobs({ type: "charge_card" }).toArray();
    expect((await new Session(mounted.app).get(`/jobs/${charge!.id}`)).text).toContain('<td class="mono">stripe</td><td class="n">1</td><td>20 per 1,000 ms</td>');
    expect((await new Session(mounted.app).get("/jobs/03hcm6te4ugn8dxctjmkh3zzz")).status).toBe(404);
  });

  it("escapes every value it shows: payloads, type and queue names, filter fields, notices", async () => {
    mounted = await mount();
    const hostile = `<script>alert("x")</script>'"&`;
    const job = await mounted.seeded.client.enqueueRaw({ type: hostile, queue: `q"><img src=x onerror=alert(1)>`, payload: { html: hostile, [hostile]: [hostile] } });
    const session = new Session(mounted.app);
    const pages = [
      await session.get(`/jobs/${job.id}`),
      await session.get("/jobs"),
      await session.get(""),
      await session.get(`/jobs?type=${encodeURIComponent(hostile)}&jq=${encodeURIComponent(`.html == ${JSON.stringify(hostile)}`)}`),
      await session.get(`/jobs?notice=${encodeURIComponent(hostile)}`),
    ];
    expect(pages[3]!.text).toContain("<b>1</b> job matches.");
    for (const { text } of pages) {
      expect(text).not.toContain("<script>alert");
      expect(text).not.toContain("<img src=x");
      expect(text.match(/<script/g)).toHaveLength(1);
    }
    // The overview names queues, not types.
    expect(pages[2]!.text).toContain("q&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    for (const { text } of [pages[0]!, pages[1]!, pages[3]!, pages[4]!]) expect(text).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&quot;&amp;");
  });

  it("sends a strict Content-Security-Policy whose nonce is the one on the page's style and script", async () => {
    mounted = await mount();
    const { text, headers } = await new Session(mounted.app).get("/jobs");
    const csp = headers.get("content-security-policy")!;
    const nonce = /script-src 'nonce-([\w-]+)'/.exec(csp)![1]!;
    expect(csp).toBe(
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    );
    expect(text).toContain(`<style nonce="${nonce}">`);
    expect(text).toContain(`<script nonce="${nonce}">`);
    expect(headers.get("x-content-type-options")).toBe("nosniff");
    expect(headers.get("cache-control")).toBe("no-store");
    const again = await new Session(mounted.app).get("/jobs");
    expect(again.headers.get("content-security-policy")).not.toContain(nonce);
  });
});
