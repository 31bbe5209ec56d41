import { Hono } from "hono";
import { tryFormat } from "./http/methods.ts";
import { acceptFormat } from "./http/negotiate.ts";
import { ApiError, PlainError, plainText, respond } from "./http/respond.ts";
import { adminRoutes } from "./routes/admin.ts";
import { budgetRoutes } from "./routes/budgets.ts";
import { jobBudgetRoutes } from "./routes/job-budgets.ts";
import { cronRoutes } from "./routes/crons.ts";
import type { AppDeps } from "./routes/deps.ts";
import { bulkEnqueue } from "./routes/enqueue.ts";
import { jobRoutes } from "./routes/job.ts";
import { jobsRoutes } from "./routes/jobs.ts";
import { takeRoutes } from "./routes/take.ts";
import type { Logger } from "../utils/logger.ts";

export interface AppOptions {
  /** Where internal errors (500s) are reported. */
  log: Logger;
  /** Clock-driven work (promotion, cron) brought up to date before each request. */
  catchUp(): void;
  /** Sets the timer for the next due job or cron entry after a request may have added one. */
  arm(): void;
}

/**
 * The Zizq primary API as a Hono app, one sub-app per resource. Static `/jobs/...` paths are
 * mounted before `/jobs/{id}`, so they win as on the server.
 */
export function createApp(deps: AppDeps, options: AppOptions): Hono {
  const app = new Hono();

  app.use(async (_c, next) => {
    options.catchUp();
    await next();
    options.arm();
  });

  app.onError((error, c) => {
    const format = tryFormat(c.req.raw);
    if (error instanceof ApiError) return respond(error.format ?? format, error.status, error.body);
    if (error instanceof PlainError) return plainText(error.status, error.message);
    options.log.error("zizq test server: internal error", { error });
    const path = c.req.path;
    const message = path.startsWith("/crons") || path.startsWith("/budgets") ? "internal error" : "internal server error";
    return respond(format, 500, { error: message });
  });

  app.route("/", adminRoutes(deps));
  app.route("/jobs", jobsRoutes(deps));
  app.route("/jobs", bulkEnqueue(deps));
  app.route("/jobs", takeRoutes(deps));
  // Zizq 0.6.1 has none of these: its `/jobs/budgets` is a job id, and the rest are 404.
  if (deps.features.budgets) {
    app.route("/jobs", jobBudgetRoutes(deps));
    app.route("/budgets", budgetRoutes(deps));
  }
  app.route("/jobs", jobRoutes(deps));
  app.route("/crons", cronRoutes(deps));

  app.notFound((c) => respond(acceptFormat(c.req.raw), 404, { error: "not found" }));
  return app;
}
