/** The dashboard's actions through a real Hono app: each one's effect on the test server, and every refusal. */
import { afterEach, describe, expect, it } from "vitest";
import type { Job } from "../../../src/types/job.ts";
import { BASE, type Mounted, mount, Session } from "./session.ts";

let mounted: Mounted | undefined;
afterEach(async () => {
  await mounted?.seeded.close();
  mounted = undefined;
});

async function one(filter: Parameters<Mounted["seeded"]["client"]["jobs"]>[0]): Promise<Job> {
  const [job] = await mounted!.seeded.client.jobs(filter).toArray();
  return job!;
}

describe("refusals", () => {
  it("refuses a POST without the CSRF token, with a wrong one, or from another site, and changes nothing", async () => {
    mounted = await mount();
    const session = new Session(mounted.app);
    const token = await session.token();
    const dead = await one({ status: "dead", type: "deliver_webhook" });
    const attempts = [
      await session.post(`/jobs/${dead.id}/delete`, {}),
      await session.post(`/jobs/${dead.id}/delete`, { _csrf: `${token.slice(1)}x` }),
      await session.post(`/jobs/${dead.id}/delete`, { _csrf: token }, { "sec-fetch-site": "cross-site" }),
      // A token without its cookie: another browser's form.
      await new Session(mounted.app).post(`/jobs/${dead.id}/delete`, { _csrf: token }),
    ];
    for (const { status, text } of attempts) {
      expect(status).toBe(403);
      expect(text).toContain("Refused:");
    }
    expect(attempts[0]!.text).toContain("the form&#39;s CSRF token is missing");
    expect(attempts[1]!.text).toContain("the form&#39;s CSRF token does not match");
    expect((await mounted.seeded.client.getJob(dead.id)).status).toBe("dead");
    expect((await session.post(`/jobs/${dead.id}/delete`, { _csrf: token }, { "sec-fetch-site": "same-origin" })).status).toBe(303);
  });

  it("takes no action by GET", async () => {
    mounted = await mount();
    const dead = await one({ status: "dead" });
    const session = new Session(mounted.app);
    expect((await session.get(`/jobs/${dead.id}/delete`)).status).toBe(404);
    expect((await session.get("/bulk?action=delete&status=dead")).status).toBe(200);
    expect(await mounted.seeded.client.jobs({ status: "dead" }).count()).toBe(2);
  });

  it("read-only: shows no form that acts and refuses every POST, even with a valid token", async () => {
    mounted = await mount({ readOnly: true });
    const session = new Session(mounted.app);
    const dead = await one({ status: "dead" });
    for (const path of ["", "/jobs", `/jobs/${dead.id}`, "/crons", "/bulk?action=delete"]) {
      const { text } = await session.get(path);
      expect(text).not.toContain('method="post"');
      expect(text).not.toContain("Delete matching");
    }
    const token = /zizq_csrf=([\w-]+)/.exec((await mounted.app.request(`${BASE}/jobs`)).headers.get("set-cookie")!)![1]!;
    const response = await mounted.app.request(`${BASE}/jobs/${dead.id}/delete`, {
      method: "POST",
      body: new URLSearchParams({ _csrf: token }),
      headers: { cookie: `zizq_csrf=${token}`, "content-type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("This dashboard is read-only");
    expect((await mounted.seeded.client.getJob(dead.id)).status).toBe("dead");
  });
});

describe("job actions", () => {
  it("retries a dead job: a copy is enqueued ready at once with the same payload and settings, the dead one is gone", async () => {
    mounted = await mount();
    const session = new Session(mounted.app);
    const dead = await one({ status: "dead", type: "charge_card" });
    const { status, location } = await session.post(`/jobs/${dead.id}/retry`, { _csrf: await session.token() });
    expect(status).toBe(303);
    const newId = /\/jobs\/([^?]+)\?notice=/.exec(location!)![1]!;
    const copy = await mounted.seeded.client.getJob(newId);
    expect(copy).toMatchObject({ status: "ready", type: "charge_card", queue: "payments", payload: dead.payload, retryLimit: 5, budgets: [{ key: "stripe", cost: 1 }] });
    await expect(mounted.seeded.client.getJob(dead.id)).rejects.toThrow("job not found");
    const page = await session.get(location!.slice(BASE.length));
    expect(page.text).toContain(`was enqueued again as ${newId}, ready now.`);
  });

  it("retries a scheduled job now, kills one in flight, deletes any", async () => {
    mounted = await mount();
    const session = new Session(mounted.app);
    const token = await session.token();
    const scheduled = await one({ status: "scheduled", type: "charge_card" });
    await session.post(`/jobs/${scheduled.id}/retry`, { _csrf: token });
    expect(await mounted.seeded.client.getJob(scheduled.id)).toMatchObject({ status: "ready", attempts: 1 });

    const running = await one({ status: "in_flight" });
    await session.post(`/jobs/${running.id}/kill`, { _csrf: token });
    expect(await mounted.seeded.client.getJob(running.id)).toMatchObject({ status: "dead", attempts: 1 });
    expect((await mounted.seeded.client.errors(running.id).toArray())[0]).toMatchObject({ message: "killed from the dashboard", errorType: "ZizqDashboardKill" });

    const ready = await one({ status: "ready", queue: "emails" });
    const deleted = await session.post(`/jobs/${ready.id}/delete`, { _csrf: token });
    expect(deleted.location).toBe(`${BASE}/jobs?notice=deleted&n_id=${ready.id}`);
    expect((await session.get(deleted.location!.slice(BASE.length))).text).toContain(`Deleted job ${ready.id}.`);
    await expect(mounted.seeded.client.getJob(ready.id)).rejects.toThrow("job not found");

    const refused = await session.post(`/jobs/${(await one({ status: "completed" })).id}/kill`, { _csrf: token });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("action: kill applies to a job that is in_flight; this one is completed");
    expect((await session.post(`/jobs/${ready.id}/explode`, { _csrf: token })).status).toBe(404);
  });
});

describe("bulk actions", () => {
  it("asks first with the count, then acts on every job the filter matches", async () => {
    mounted = await mount();
    const session = new Session(mounted.app);
    const token = await session.token();
    const confirm = await session.get("/bulk?action=delete&queue=emails&status=ready");
    expect(confirm.text).toContain("Filter: <b>queue = emails, status = ready</b>.");
    expect(confirm.text).toContain("<b>18</b> jobs now.");
    expect(confirm.text).toContain('<input type="hidden" name="confirm" value="yes">');
    expect(await mounted.seeded.client.jobs({ queue: "emails", status: "ready" }).count()).toBe(18);

    const unconfirmed = await session.post("/bulk", { _csrf: token, action: "delete", queue: "emails", status: "ready" });
    expect(unconfirmed.status).toBe(400);
    expect(await mounted.seeded.client.jobs({ queue: "emails", status: "ready" }).count()).toBe(18);

    const done = await session.post("/bulk", { _csrf: token, action: "delete", confirm: "yes", count: "18", queue: "emails", status: "ready" });
    expect(done.location).toBe(`${BASE}/jobs?queue=emails&status=ready&notice=bulk&n_action=delete&n_count=18`);
    expect((await session.get(done.location!.slice(BASE.length))).text).toContain("delete: 18 jobs.");
    expect(await mounted.seeded.client.jobs({ queue: "emails" }).count()).toBe(12);
  });

  it("retries every scheduled and dead job of a filter, and kills every job in flight", async () => {
    mounted = await mount();
    const session = new Session(mounted.app);
    const token = await session.token();
    const { client } = mounted.seeded;
    expect((await session.get("/bulk?action=retry")).text).toContain("<b>9</b> jobs now.");
    expect((await session.get("/bulk?action=retry&queue=payments")).text).toContain("<b>3</b> jobs now.");
    await session.post("/bulk", { _csrf: token, action: "retry", confirm: "yes", count: "3", queue: "payments" });
    expect(await client.jobs({ queue: "payments", status: ["dead", "scheduled"] }).count()).toBe(0);
    expect(await client.jobs({ queue: "payments", status: "ready" }).count()).toBe(6);
    expect(await client.jobs({ status: "dead" }).count()).toBe(1);

    const running = (await client.jobs({ status: "in_flight" }).toArray()).map((job) => job.id);
    expect((await session.get("/bulk?action=kill")).text).toContain("<b>3</b> jobs now.");
    await session.post("/bulk", { _csrf: token, action: "kill", confirm: "yes", count: "3" });
    // The seed's open stream takes the next images as the killed ones leave it.
    expect((await client.jobs({ queue: "images", status: "dead" }).toArray()).map((job) => job.id)).toEqual(running);
  });
});

describe("cron actions", () => {
  it("pauses and resumes groups and entries", async () => {
    mounted = await mount();
    const session = new Session(mounted.app);
    const token = await session.token();
    const { crons } = mounted.seeded.client;
    await session.post("/crons/reports/pause", { _csrf: token });
    expect((await crons.get("reports")).paused).toBe(true);
    await session.post("/crons/billing/resume", { _csrf: token });
    expect((await crons.get("billing")).paused).toBe(false);
    const paused = await session.post("/crons/reports/entries/nightly-digest/resume", { _csrf: token });
    expect(paused.location).toBe(`${BASE}/crons?notice=resumed&n_group=reports&n_entry=nightly-digest`);
    expect((await session.get(paused.location!.slice(BASE.length))).text).toContain("Resumed cron entry reports/nightly-digest.");
    await session.post("/crons/billing/entries/retry-failed-charges/pause", { _csrf: token });
    expect((await crons.getEntry("billing", "retry-failed-charges")).paused).toBe(true);
    const page = (await session.get("/crons")).text;
    expect(page).toContain(`action="${BASE}/crons/billing/entries/retry-failed-charges/resume"`);
    expect((await session.post("/crons/reports/stop", { _csrf: token })).status).toBe(400);
  });
});
