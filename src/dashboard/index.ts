/**
 * `zizqDashboard`: a Hono sub-app that shows queues and jobs through the Client the app already
 * has, and acts on them. Server-rendered HTML, readable with JavaScript off; the one inline
 * script only shows timestamps in the viewer's zone.
 */
import type { Context, Hono } from "hono";
import type { Client } from "../client/client.ts";
import { ZizqArgumentError } from "../errors/argument-error.ts";
import { ZizqBadRequestError, ZizqNotFoundError } from "../errors/http-error.ts";
import { ZizqProLicenseError } from "../errors/pro-license-error.ts";
import { ZizqError } from "../errors/zizq-error.ts";
import { checkBoolean, checkFunction, checkKnownKeys, checkObject, isObject, shown } from "../utils/arguments.ts";
import { loadWithPeers } from "../utils/optional-peers.ts";
import { applyToAll, applyToJob, bulkCount, type Done, JOB_ACTIONS, type JobAction, RetryIncompleteError } from "./actions.ts";
import { bulkPage } from "./bulk-page.ts";
import { cronsPage } from "./crons-page.ts";
import { jobFilter, queryString, readFields } from "./filter.ts";
import { jobPage } from "./job-page.ts";
import { jobsPage } from "./jobs-page.ts";
import { type Html, html } from "./html.ts";
import { page, problemPage, type View } from "./layout.ts";
import { noticeQuery, noticeText } from "./notices.ts";
import { overviewPage } from "./overview.ts";
import { csrfKey, csrfProblem, csrfToken, isLoopbackHost, randomToken, securityHeaders } from "./security.ts";
import { Samples } from "./throughput.ts";

/**
 * Hono, loaded with this entry when it is installed. `zizq-edge/hono` also serves code without
 * Hono (the deprecated `zizqPushHandler`), so a missing hono is reported by `zizqDashboard` alone.
 */
const hono: typeof import("hono") | ZizqError = await loadWithPeers(
  { user: "zizqDashboard", packages: ["hono"], install: "npm install hono" },
  () => import("hono"),
).catch((error: unknown) => {
  if (error instanceof ZizqError) return error;
  throw error;
});

/** Options of `zizqDashboard`. */
export interface DashboardOptions {
  /** The Client the dashboard reads and acts through. */
  client: Client;
  /**
   * Decides who may see the dashboard: `true` lets the request through, `false` answers 403, a
   * Response is sent as it is (a 401 with `WWW-Authenticate`, a redirect to a login page).
   * Required unless `dangerouslyAllowUnauthenticated` is set.
   */
  authorize?: (c: Context) => boolean | Response | Promise<boolean | Response>;
  /**
   * The path the dashboard is reached at, for its links and its cookie. By default it is read
   * from where the app was mounted; set it when a proxy rewrites paths.
   */
  basePath?: string;
  /** Shows everything and offers no action; POSTs are refused with 403. */
  readOnly?: boolean;
  /**
   * Mounts without `authorize`: anyone who reaches the path can delete jobs. Such a dashboard
   * answers only requests whose Host is localhost, 127.0.0.1 or [::1] (against DNS rebinding).
   */
  dangerouslyAllowUnauthenticated?: boolean;
  /**
   * The key the CSRF tokens are signed with (HMAC-SHA-256). By default a random key of this
   * mount, made on its first request: tokens then hold within one process or isolate, so set it
   * where one visitor's requests spread over several (Workers, a cluster).
   */
  secret?: string;
  /**
   * Whether the CSRF cookie is `Secure`. By default it is when the request is https or carries
   * `X-Forwarded-Proto: https` (a proxy that ends TLS).
   */
  secureCookie?: boolean;
}

/** What the dashboard's middleware hands its pages. */
interface DashboardEnv {
  Variables: { view: View; form: Record<string, unknown> };
}

const READ_ONLY = "This dashboard is read-only: it takes no action.";

const OPTION_KEYS = ["client", "authorize", "basePath", "readOnly", "dangerouslyAllowUnauthenticated", "secret", "secureCookie"];

/** A base path the dashboard's links and cookie can carry as they are: plain segments, no trailing slash. */
const BASE_PATH = /^(\/[\w.~%-]+)*$/;

function checkOptions(options: DashboardOptions): void {
  checkObject("options", options, true);
  checkKnownKeys("options", options as unknown as Record<string, unknown>, OPTION_KEYS);
  if (!isObject(options.client) || typeof (options.client as Client).jobs !== "function") {
    throw new ZizqArgumentError("client", `expected a zizq-edge Client, got ${shown(options.client)}`);
  }
  checkFunction("authorize", options.authorize);
  checkBoolean("readOnly", options.readOnly);
  checkBoolean("dangerouslyAllowUnauthenticated", options.dangerouslyAllowUnauthenticated);
  checkBoolean("secureCookie", options.secureCookie);
  if (options.secret !== undefined && (typeof options.secret !== "string" || options.secret.length < 16)) {
    throw new ZizqArgumentError("secret", `expected a string of at least 16 characters, got ${shown(options.secret)}`);
  }
  if (options.authorize === undefined && options.dangerouslyAllowUnauthenticated !== true) {
    throw new ZizqArgumentError(
      "authorize",
      "a dashboard can delete jobs: pass authorize(c) to decide who may use it (or dangerouslyAllowUnauthenticated: true for a local tool)",
    );
  }
  if (options.basePath !== undefined && (typeof options.basePath !== "string" || !BASE_PATH.test(options.basePath))) {
    throw new ZizqArgumentError("basePath", `expected a path such as "/admin/zizq" (no trailing slash), got ${shown(options.basePath)}`);
  }
}

/** Where the app is mounted: the request path cut to the depth of this middleware's route. */
function mountPath(c: Context): string {
  const depth = c.req.routePath.replace(/\/?\*$/, "").split("/").length;
  return c.req.path.split("/").slice(0, depth).join("/");
}

/**
 * The dashboard as a Hono sub-app; mount it with `app.route(path, zizqDashboard(...))`.
 *
 * @example
 * ```ts
 * app.route("/admin/zizq", zizqDashboard({ client, authorize: (c) => c.get("user")?.isAdmin === true }));
 * ```
 */
export function zizqDashboard(options: DashboardOptions): Hono {
  if (hono instanceof ZizqError) throw hono;
  checkOptions(options);
  const { client, authorize } = options;
  const readOnly = options.readOnly === true;
  const samples = new Samples();
  // Made on first use: Workers allow no random values at global scope, where apps mount this.
  let key: Promise<CryptoKey> | undefined;
  const csrf = () => (key ??= csrfKey(options.secret));
  const app = new hono.Hono<DashboardEnv>();
  const show = (c: Context<DashboardEnv>, body: Html, status: 200 | 400 | 403 | 404 | 500 = 200) => c.html(body.text, status);

  app.use("*", async (c, next) => {
    const base = options.basePath ?? mountPath(c);
    const nonce = randomToken();
    securityHeaders(c, nonce);
    // A parameterised mount takes its base from the request: it goes into links and Set-Cookie.
    if (!BASE_PATH.test(base)) return c.text("Bad path", 400);
    const view: View = { base, nonce, csrf: "", readOnly, authorized: false };
    c.set("view", view);
    if (!authorize && !isLoopbackHost(c.req.header("Host") ?? new URL(c.req.url).host)) {
      return show(c, problemPage(view, "Not allowed", "This dashboard has no authorize and answers only on localhost."), 403);
    }
    const verdict = authorize ? await authorize(c) : true;
    if (verdict instanceof Response) return verdict;
    if (verdict !== true) return show(c, problemPage(view, "Not allowed", "You may not use this dashboard."), 403);
    view.authorized = true;
    view.csrf = await csrfToken(c, await csrf(), base, options.secureCookie);
    if (c.req.method === "POST") {
      if (readOnly) return show(c, problemPage(view, "Read-only", READ_ONLY), 403);
      const form = await c.req.parseBody();
      const problem = csrfProblem(c, view.csrf, form._csrf);
      if (problem) return show(c, problemPage(view, "Refused", `Refused: ${problem}. Reload the page and try again.`), 403);
      c.set("form", form);
    }
    await next();
  });

  app.onError((error, c) => {
    const view = c.get("view");
    // Before authorize has said yes (or when it throws), the visitor learns nothing of the failure.
    if (!view?.authorized) return c.text("Internal Server Error", 500);
    if (error instanceof RetryIncompleteError) {
      const request = error.request
        ? html`<p>The job now exists only on this page. Enqueue this request (for example with <code>client.enqueueRaw(request)</code>) to recreate it:</p><pre>${JSON.stringify(error.request, null, 2)}</pre>`
        : "";
      return show(c, page(view, "Retry incomplete", html`<h1>Retry incomplete</h1><p class="notice error">${error.message}</p>${request}`), 500);
    }
    if (error instanceof ZizqNotFoundError) return show(c, problemPage(view, "Not found", `The server answered: ${error.message}`), 404);
    if (error instanceof ZizqBadRequestError || error instanceof ZizqArgumentError) {
      return show(c, problemPage(view, "Cannot do that", error.message), 400);
    }
    if (error instanceof ZizqProLicenseError) return show(c, problemPage(view, "Needs Zizq Pro", error.message), 403);
    return show(c, problemPage(view, "Something failed", `${error.name}: ${error.message}`), 500);
  });

  const notice = (c: Context<DashboardEnv>) => noticeText((name) => c.req.query(name));
  const back = (c: Context<DashboardEnv>, path: string, done: Pick<Done, "notice" | "params">) => {
    const [target, query = ""] = path.split("?");
    const params = new URLSearchParams(query);
    for (const [name, value] of noticeQuery(done.notice, done.params)) params.set(name, value);
    return c.redirect(`${c.get("view").base}${target}?${params}`, 303);
  };

  app.get("/", async (c) => {
    const refresh = Number(c.req.query("refresh"));
    return show(c, await overviewPage(c.get("view"), client, samples, Number.isInteger(refresh) && refresh >= 1 && refresh <= 300 ? refresh : undefined, notice(c)));
  });

  app.get("/jobs", async (c) => {
    const fields = readFields((name) => c.req.query(name));
    const order = c.req.query("order") === "asc" ? "asc" : "desc";
    return show(c, await jobsPage(c.get("view"), client, fields, order, c.req.query("after") || undefined, notice(c)));
  });

  app.get("/jobs/:id", async (c) => show(c, await jobPage(c.get("view"), client, await client.getJob(c.req.param("id")), notice(c))));

  app.post("/jobs/:id/:action", async (c) => {
    const action = c.req.param("action") as JobAction;
    if (!JOB_ACTIONS.includes(action)) return c.notFound();
    const job = await client.getJob(c.req.param("id"));
    const done = await applyToJob(client, action, job);
    return back(c, done.id ? `/jobs/${encodeURIComponent(done.id)}` : "/jobs", done);
  });

  const bulkAction = (value: unknown): JobAction => {
    if (!JOB_ACTIONS.includes(value as JobAction)) throw new ZizqArgumentError("action", `expected one of ${JOB_ACTIONS.join(", ")}, got ${shown(value)}`);
    return value as JobAction;
  };

  app.get("/bulk", async (c) => {
    if (readOnly) return show(c, problemPage(c.get("view"), "Read-only", READ_ONLY), 403);
    const action = bulkAction(c.req.query("action"));
    const fields = readFields((name) => c.req.query(name));
    return show(c, bulkPage(c.get("view"), action, fields, await bulkCount(client, action, jobFilter(fields))));
  });

  app.post("/bulk", async (c) => {
    const form = c.get("form");
    const action = bulkAction(form.action);
    if (form.confirm !== "yes") throw new ZizqArgumentError("confirm", "a bulk action needs its confirmation step");
    const confirmed = Number(form.count);
    if (typeof form.count !== "string" || !Number.isSafeInteger(confirmed) || confirmed < 0) {
      throw new ZizqArgumentError("count", `expected the confirmed number of jobs, got ${shown(form.count)}`);
    }
    const fields = readFields((name) => form[name]);
    const count = await applyToAll(client, action, jobFilter(fields), confirmed);
    return back(c, `/jobs${queryString(fields)}`, { notice: "bulk", params: { action, count: String(count) } });
  });

  app.get("/crons", async (c) => show(c, await cronsPage(c.get("view"), client, notice(c))));

  const pausing = (op: string) => {
    if (op !== "pause" && op !== "resume") throw new ZizqArgumentError("op", `expected pause or resume, got ${shown(op)}`);
    return op === "pause";
  };

  app.post("/crons/:group/:op", async (c) => {
    const group = c.req.param("group");
    const pause = pausing(c.req.param("op"));
    await (pause ? client.crons.pause(group) : client.crons.resume(group));
    return back(c, "/crons", { notice: pause ? "paused" : "resumed", params: { group } });
  });

  app.post("/crons/:group/entries/:name/:op", async (c) => {
    const { group, name } = c.req.param();
    const pause = pausing(c.req.param("op"));
    await (pause ? client.crons.pauseEntry(group, name) : client.crons.resumeEntry(group, name));
    return back(c, "/crons", { notice: pause ? "paused" : "resumed", params: { group, entry: name } });
  });

  // Its context variables are its own: the app mounting it sees a plain Hono app.
  return app as unknown as Hono;
}
