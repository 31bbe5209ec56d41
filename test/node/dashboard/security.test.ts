/** The dashboard's defences beyond the CSRF basics in actions.test.ts: signed tokens, cookies, notices, hosts, paths. */
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { zizqDashboard } from "../../../adapters/hono.ts";
import { BASE, type Mounted, mount, Session } from "./session.ts";

let mounted: Mounted | undefined;
afterEach(async () => {
  await mounted?.seeded.close();
  mounted = undefined;
});

const SECRET = "a-long-enough-dashboard-secret";

describe("CSRF token", () => {
  it("is the cookie's HMAC: a planted cookie with its own value as token is refused", async () => {
    mounted = await mount();
    const [dead] = await mounted.seeded.client.jobs({ status: "dead" }).toArray();
    const planted = "AAAAAAAAAAAAAAAAAAAAAA";
    const response = await mounted.app.request(`${BASE}/jobs/${dead!.id}/delete`, {
      method: "POST",
      body: new URLSearchParams({ _csrf: planted }),
      headers: { cookie: `zizq_csrf=${planted}`, "content-type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("the form&#39;s CSRF token does not match");
    expect((await mounted.seeded.client.getJob(dead!.id)).status).toBe("dead");
  });

  it("holds across mounts that share a secret, and not across mounts with their own random keys", async () => {
    mounted = await mount({ secret: SECRET });
    const session = new Session(mounted.app);
    const token = await session.token();
    const [dead] = await mounted.seeded.client.jobs({ status: "dead" }).toArray();
    const twin = new Hono().route(BASE, zizqDashboard({ client: mounted.seeded.client, authorize: () => true, secret: SECRET }));
    expect((await new Session(twin).withCookieOf(session).post(`/jobs/${dead!.id}/retry`, { _csrf: token })).status).toBe(303);

    const random = await mount();
    const other = new Session(random.app);
    const otherToken = await other.token();
    const stranger = new Hono().route(BASE, zizqDashboard({ client: random.seeded.client, authorize: () => true }));
    const [otherDead] = await random.seeded.client.jobs({ status: "dead" }).toArray();
    expect((await new Session(stranger).withCookieOf(other).post(`/jobs/${otherDead!.id}/delete`, { _csrf: otherToken })).status).toBe(403);
    await random.seeded.close();
  });

  it("refuses a secret shorter than 16 characters, naming the option", async () => {
    await expect(mount({ secret: "short" })).rejects.toThrow("secret: expected a string of at least 16 characters");
  });
});

describe("CSRF cookie", () => {
  const cookieOf = async (app: Hono, headers: Record<string, string> = {}, url = `http://localhost${BASE}/jobs`) =>
    (await app.request(url, { headers })).headers.get("set-cookie")!;

  it("is Secure over https, behind a proxy that says X-Forwarded-Proto: https, or when secureCookie is set", async () => {
    mounted = await mount();
    expect(await cookieOf(mounted.app)).not.toContain("Secure");
    expect(await cookieOf(mounted.app, {}, `https://localhost${BASE}/jobs`)).toContain("; Secure");
    expect(await cookieOf(mounted.app, { "x-forwarded-proto": "https" })).toContain("; Secure");
    const forced = new Hono().route(BASE, zizqDashboard({ client: mounted.seeded.client, authorize: () => true, secureCookie: true }));
    expect(await cookieOf(forced)).toContain("; Secure");
  });

  it("takes no raw request path: a parameterised mount answers 400 to a base that is not plain segments", async () => {
    mounted = await mount();
    const app = new Hono().route("/:tenant/zizq", zizqDashboard({ client: mounted.seeded.client, authorize: () => true }));
    const bad = await app.request("/a;Domain=evil.example/zizq/jobs");
    expect(bad.status).toBe(400);
    expect(bad.headers.get("set-cookie")).toBeNull();
    expect(await cookieOf(app, {}, "http://localhost/acme/zizq/jobs")).toContain("Path=/acme/zizq;");
  });
});

describe("notices", () => {
  it("shows only the dashboard's own sentences: unknown keys and parameters with prose show nothing", async () => {
    mounted = await mount();
    const session = new Session(mounted.app);
    const spoof = "Session expired, sign in at evil.example";
    for (const query of [`notice=${encodeURIComponent(spoof)}`, `notice=deleted&n_id=${encodeURIComponent(spoof)}`, "notice=constructor", "notice=bulk&n_action=Sign-in-at-evil.example&n_count=1"]) {
      const { status, text } = await session.get(`/jobs?${query}`);
      expect(status).toBe(200);
      expect(text).not.toContain('class="notice"');
      expect(text).not.toContain("evil.example");
    }
    expect((await session.get("/jobs?notice=deleted&n_id=03abc")).text).toContain('<p class="notice" role="status">Deleted job 03abc.</p>');
  });
});

describe("unauthenticated mode", () => {
  it("answers loopback hosts only, so a rebound DNS name gets 403", async () => {
    mounted = await mount({ authorize: undefined, dangerouslyAllowUnauthenticated: true });
    for (const host of ["localhost:7891", "127.0.0.1:7891", "[::1]:7891"]) {
      expect((await mounted.app.request(`${BASE}/jobs`, { headers: { host } })).status).toBe(200);
    }
    const rebound = await mounted.app.request(`http://evil.example${BASE}/jobs`, { headers: { host: "evil.example" } });
    expect(rebound.status).toBe(403);
    expect(await rebound.text()).toContain("answers only on localhost");
  });
});

describe("failures", () => {
  it("shows a visitor whose authorize threw nothing of the error", async () => {
    mounted = await mount({
      authorize: () => {
        throw new Error("session store at redis://10.0.0.5 unreachable");
      },
    });
    const response = await mounted.app.request(`${BASE}/jobs`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe("Internal Server Error");
  });

  it("names the field of bad input", async () => {
    mounted = await mount();
    const session = new Session(mounted.app);
    expect((await session.get("/jobs?status=lost")).text).toContain("status: expected one of ready, scheduled, in_flight, completed, dead");
    expect((await session.get("/bulk?action=explode")).text).toContain("action: expected one of retry, kill, delete");
    const token = await session.token();
    expect((await session.post("/bulk", { _csrf: token, action: "delete", confirm: "yes" })).text).toContain("count: expected the confirmed number of jobs");
  });
});

describe("overview on many queues", () => {
  it("counts by status alone past 8 queues, so a page stays under a Worker's 50 subrequests", async () => {
    mounted = await mount();
    for (let i = 0; i < 12; i++) await mounted.seeded.client.enqueueRaw({ type: "noop", queue: `tenant-${i}`, payload: {} });
    mounted.calls.length = 0;
    const { status, text } = await new Session(mounted.app).get("");
    expect(status).toBe(200);
    expect(text).toContain("queues (counted per queue up to 8)");
    expect(text).toContain(`href="${BASE}/jobs?queue=tenant-11"`);
    expect(mounted.calls.length).toBeLessThanOrEqual(10);
  });
});
