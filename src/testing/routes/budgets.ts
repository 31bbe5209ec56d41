import { type Context, Hono } from "hono";
import { type Handler, methods, param } from "../http/methods.ts";
import * as body from "../http/budget-requests.ts";
import { type Format, noContent, respond } from "../http/respond.ts";
import { checkBudgetKey, parsePolicy } from "../store/budget-policy.ts";
import type { References } from "../store/budgets.ts";
import { type AppDeps, proRoute } from "./deps.ts";

/** What draws on a budget right now: unfinished jobs and cron templates (the guards' count). */
const referencesTo =
  ({ store, crons }: AppDeps, key: string) =>
  (): References => ({ jobCosts: store.costsDrawnOn(key), cronCosts: crons.costsDrawnOn(key) });

/** A budget route (Pro): body, licence, then the store's answer. */
export const budgetRoute = <T>(
  deps: AppDeps,
  read: ((value: unknown) => T) | undefined,
  run: (c: Context, input: T, format: Format) => Response | Promise<Response>,
): Handler => proRoute(deps, "budgets", read, run);

/** A new budget's key rules and strategy tag, before the store looks (422). */
function checkedPolicy(key: string, input: body.PolicyInput) {
  checkBudgetKey(key);
  return parsePolicy(input);
}

/** `/budgets` (Zizq 0.7, Pro): named token buckets, listed, created, replaced, patched and deleted. */
export function budgetRoutes(deps: AppDeps): Hono {
  const { budgets, store } = deps;
  const app = new Hono();

  app.all(
    "/",
    methods({
      GET: budgetRoute(deps, undefined, (_c, _i, format) =>
        respond(format, 200, { budgets: budgets.list().map((budget) => budgets.view(budget)) }),
      ),
    }),
  );

  app.all(
    "/:key",
    methods({
      GET: budgetRoute(deps, undefined, (c, _i, format) => {
        return respond(format, 200, budgets.view(budgets.find(param(c, "key"))));
      }),
      POST: budgetRoute(deps, body.policy, (c, input, format) => {
        const key = param(c, "key");
        return respond(format, 201, budgets.view(budgets.create(key, checkedPolicy(key, input))));
      }),
      PUT: budgetRoute(deps, body.policy, (c, input, format) => {
        const key = param(c, "key");
        const budget = budgets.put(key, checkedPolicy(key, input), referencesTo(deps, key));
        store.budgetsChanged();
        return respond(format, 200, budgets.view(budget));
      }),
      PATCH: budgetRoute(deps, body.policyPatch, (c, patch, format) => {
        const key = param(c, "key");
        const budget = budgets.patch(key, patch, referencesTo(deps, key));
        store.budgetsChanged();
        return respond(format, 200, budgets.view(budget));
      }),
      DELETE: budgetRoute(deps, undefined, (c) => {
        const key = param(c, "key");
        budgets.delete(key, referencesTo(deps, key));
        return noContent();
      }),
    }),
  );

  return app;
}
