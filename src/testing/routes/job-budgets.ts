import { Hono } from "hono";
import type { JobStatus } from "../../protocol/wire.ts";
import { methods, param } from "../http/methods.ts";
import * as body from "../http/budget-requests.ts";
import { checkIds } from "../http/query.ts";
import { respond } from "../http/respond.ts";
import { type BudgetBinding, type ParsedBinding, parseBinding } from "../store/budgets.ts";
import { Conflict, InvalidOperation, NotFound } from "../store/errors.ts";
import { isTerminal, jobView, type StoredJob } from "../store/job.ts";
import { add, type Rebinding, remove, replaceAll, set, setCost, type Verb } from "../store/rebind.ts";
import { budgetRoute } from "./budgets.ts";
import type { AppDeps } from "./deps.ts";
import { readJobFilter, selectJobs } from "./selection.ts";

/** The server's (Rust) names of the statuses a rebind refuses. */
const STATUS_NAMES: Partial<Record<JobStatus, string>> = { in_flight: "InFlight", completed: "Completed", dead: "Dead" };

/**
 * Rebinding jobs to budgets (Zizq 0.7, Pro), mounted under `/jobs`: one queued job at a time
 * (`/jobs/{id}/budgets...`, answering the job), or every job a filter selects
 * (`/jobs/budgets...`, answering `{changed, blocked}`).
 */
export function jobBudgetRoutes(deps: AppDeps): Hono {
  const { store, budgets } = deps;
  const app = new Hono();

  /** Bindings checked against the registry; budgets their `create_with` names exist once this returns. */
  const resolve = (bindings: ParsedBinding[]): BudgetBinding[] => {
    const plan = budgets.plan();
    const resolved = plan.resolve(bindings);
    plan.commit();
    return resolved;
  };

  /**
   * A verb over one job, given the bindings it will write. It is tried first with the bindings
   * as sent (a verb that does not apply is 409 or 404), and only then with the bindings resolved
   * against the registry (a missing budget or a cost above capacity is 422).
   */
  type Deferred = { verb: (resolved: BudgetBinding[]) => Verb; bindings: ParsedBinding[] };

  const onJob = (id: string, { verb, bindings }: Deferred): StoredJob => {
    const job = store.find(id);
    if (!job) throw new NotFound(`job '${id}' not found`);
    const name = STATUS_NAMES[job.status];
    if (name) throw new InvalidOperation(`job '${id}' is ${name} — only queued jobs may have their budgets changed`);
    const provisional = bindings.map(({ key, cost = 1 }) => ({ key, cost }));
    const check = verb(provisional)(job.budgets);
    const [first] = provisional;
    if (check === "bound" && first) {
      throw new Conflict(
        `job '${id}' already draws on budget '${first.key}'. Use PUT to replace the binding, or PATCH to change its cost.`,
      );
    }
    if (check === "unbound" && first) throw new NotFound(`job '${id}' does not draw on budget '${first.key}'`);
    const result = verb(resolve(bindings))(job.budgets);
    if (typeof result === "object") store.rebind(job, result.bindings);
    return job;
  };

  const jobAnswer = (format: "json" | "msgpack", job: StoredJob) =>
    respond(format, 200, jobView(job, { msgpack: format === "msgpack" }));

  const one = (key: string, input: Omit<body.BindingInput, "key">) => [parseBinding({ key, ...input })];
  const single = (verb: (b: BudgetBinding) => Verb) => (resolved: BudgetBinding[]) => verb(resolved[0] as BudgetBinding);

  app.all(
    "/:id/budgets/:key",
    methods({
      POST: budgetRoute(deps, body.bind, (c, input, format) =>
        jobAnswer(format, onJob(param(c, "id"), { verb: single(add), bindings: one(param(c, "key"), input) })),
      ),
      PUT: budgetRoute(deps, body.bind, (c, input, format) =>
        jobAnswer(format, onJob(param(c, "id"), { verb: single(set), bindings: one(param(c, "key"), input) })),
      ),
      PATCH: budgetRoute(deps, body.cost, (c, cost, format) => {
        const key = param(c, "key");
        const verb = () => setCost(key, cost);
        return jobAnswer(format, onJob(param(c, "id"), { verb, bindings: one(key, { cost }) }));
      }),
      // The key is not checked: a key no job can have is simply not bound.
      DELETE: budgetRoute(deps, undefined, (c, _i, format) =>
        jobAnswer(format, onJob(param(c, "id"), { verb: () => remove(param(c, "key")), bindings: [] })),
      ),
    }),
  );

  app.all(
    "/:id/budgets",
    methods({
      PUT: budgetRoute(deps, body.bindings, (c, inputs, format) =>
        jobAnswer(format, onJob(param(c, "id"), { verb: replaceAll, bindings: inputs.map(parseBinding) })),
      ),
      DELETE: budgetRoute(deps, undefined, (c, _i, format) =>
        jobAnswer(format, onJob(param(c, "id"), { verb: () => replaceAll([]), bindings: [] })),
      ),
    }),
  );

  /**
   * One verb over every job a filter selects, its budgets resolved once first (so a request
   * wrong for every job fails whole, even when nothing matches). Jobs it does not apply to are
   * skipped; in-flight ones it would change are reported as blocked.
   */
  const bulk = async (url: URL, verbOf: () => Verb) => {
    const filter = readJobFilter(deps, url);
    checkIds(filter.ids);
    const verb = verbOf();
    const blocked: string[] = [];
    let changed = 0;
    for (const job of await selectJobs(deps, filter, { visibleOnly: false })) {
      const result: Rebinding = verb(job.budgets);
      if (typeof result !== "object" || isTerminal(job)) continue;
      if (job.status === "in_flight") blocked.push(job.id);
      else {
        store.rebind(job, result.bindings);
        changed++;
      }
    }
    return { changed, blocked };
  };

  const bulkWith = (key: string, input: Omit<body.BindingInput, "key">) => resolve(one(key, input))[0] as BudgetBinding;

  app.all(
    "/budgets/:key",
    methods({
      POST: budgetRoute(deps, body.bind, async (c, input, format) =>
        respond(format, 200, await bulk(new URL(c.req.url), () => add(bulkWith(param(c, "key"), input)))),
      ),
      PUT: budgetRoute(deps, body.bind, async (c, input, format) =>
        respond(format, 200, await bulk(new URL(c.req.url), () => set(bulkWith(param(c, "key"), input)))),
      ),
      PATCH: budgetRoute(deps, body.cost, async (c, cost, format) =>
        respond(format, 200, await bulk(new URL(c.req.url), () => setCost(bulkWith(param(c, "key"), { cost }).key, cost))),
      ),
      DELETE: budgetRoute(deps, undefined, async (c, _i, format) =>
        respond(format, 200, await bulk(new URL(c.req.url), () => remove(param(c, "key")))),
      ),
    }),
  );

  app.all(
    "/budgets",
    methods({
      DELETE: budgetRoute(deps, undefined, async (c, _i, format) =>
        respond(format, 200, await bulk(new URL(c.req.url), () => replaceAll([]))),
      ),
    }),
  );

  return app;
}
