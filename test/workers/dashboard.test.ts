/** The dashboard sub-app inside workerd: its pages render and an action lands, with Web Crypto and no Node API. */
import { exports } from "cloudflare:workers";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zizqDashboard } from "../../adapters/hono.ts";
import { Client } from "../../src/client/client.ts";
import { createTestServer } from "../../src/testing/index.ts";
import type { TestServer } from "../../src/testing/types.ts";

let server: TestServer;
let client: Client;
let app: Hono;

beforeAll(async () => {
  server = createTestServer({ license: "pro" });
  client = new Client({ url: "http://zizq.test", fetch: server.fetch });
  await client.enqueueRaw({ type: "send_email", queue: "emails", payload: { to: "<a@example.com>" } });
  await client.enqueueRaw({ type: "build_report", queue: "reports", payload: { month: 11 }, delay: "1h" });
  app = new Hono().route("/admin/zizq", zizqDashboard({ client, authorize: (c) => c.req.header("x-admin") === "yes" }));
});

afterAll(() => server.close());

const admin = { "x-admin": "yes" };

describe("zizqDashboard in workerd", () => {
  it("serves from a Worker that mounted it at global scope", async () => {
    const page = await exports.default.fetch("http://worker.test/admin/zizq/jobs");
    expect(page.status).toBe(200);
    // The cookie's token is signed with the key made on this first request.
    expect(page.headers.get("set-cookie")).toMatch(/^zizq_csrf=[\w-]{22}; Path=\/admin\/zizq;/);
    expect(await page.text()).toContain("<b>0</b> jobs match.");
  });

  it("serves the overview, the job list, a job and the crons", async () => {
    const overview = await app.request("/admin/zizq", { headers: admin });
    expect(overview.status).toBe(200);
    expect(overview.headers.get("content-security-policy")).toMatch(/^default-src 'none'; script-src 'nonce-[\w-]{22}'/);
    expect(await overview.text()).toContain("Zizq 0.7.0");
    const list = await (await app.request("/admin/zizq/jobs?status=scheduled", { headers: admin })).text();
    expect(list).toContain("<b>1</b> job matches.");
    const [job] = await client.jobs({ queue: "emails" }).toArray();
    expect(await (await app.request(`/admin/zizq/jobs/${job!.id}`, { headers: admin })).text()).toContain("&quot;&lt;a@example.com&gt;&quot;");
    expect((await app.request("/admin/zizq/crons", { headers: admin })).status).toBe(200);
    expect((await app.request("/admin/zizq", {})).status).toBe(403);
  });

  it("acts on a POST that carries its CSRF token and refuses one that does not", async () => {
    const [job] = await client.jobs({ queue: "reports" }).toArray();
    const page = await app.request(`/admin/zizq/jobs/${job!.id}`, { headers: admin });
    const cookie = page.headers.get("set-cookie")!.split(";")[0]!;
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const post = (fields: Record<string, string>) =>
      app.request(`/admin/zizq/jobs/${job!.id}/retry`, {
        method: "POST",
        body: new URLSearchParams(fields),
        headers: { ...admin, cookie, "content-type": "application/x-www-form-urlencoded" },
      });
    expect((await post({})).status).toBe(403);
    expect((await client.getJob(job!.id)).status).toBe("scheduled");
    expect((await post({ _csrf: token })).status).toBe(303);
    expect((await client.getJob(job!.id)).status).toBe("ready");
  });
});
