import type { Context } from "hono";
import type { CronBook } from "../cron/crons.ts";
import type { Handler } from "../http/methods.ts";
import { acceptFormat, readBody } from "../http/negotiate.ts";
import type { Features } from "../features.ts";
import { ApiError, type Format } from "../http/respond.ts";
import type { PayloadFilter } from "../payload-filter.ts";
import type { Budgets } from "../store/budgets.ts";
import { Conflict, InvalidOperation, NotFound } from "../store/errors.ts";
import type { JobStore } from "../store/store.ts";
import type { TakeHub } from "../take/hub.ts";
import type { License } from "../types.ts";

/** What the routes work on: the parts of one test server. */
export interface AppDeps {
  store: JobStore;
  budgets: Budgets;
  crons: CronBook;
  hub: TakeHub;
  license(): License;
  version: string;
  /** What the emulated version understands (0.6.1 has no budgets and no group time zones). */
  features: Features;
  /** jq for `filter` query parameters and the time check of batch dry runs, on a thread if given one. */
  payloadFilter: PayloadFilter;
}

export type Feature = "unique jobs" | "batched jobs" | "cron scheduling" | "budgets";

/** 403 unless the server has a Pro licence, in the server's words for a free or an expired one. */
export function requireLicense(deps: Pick<AppDeps, "license">, format: Format, feature: Feature): void {
  const license = deps.license();
  if (license === "pro") return;
  const base = `${feature} requires a pro license`;
  throw new ApiError(403, { error: license === "expired" ? `License expired. ${base}.` : base }, format);
}

/** A store refusal as the server answers it (404, 409 or 422); anything else as it was. */
export function refusal(error: unknown, format: Format, prefix = ""): unknown {
  const status =
    error instanceof NotFound ? 404 : error instanceof Conflict ? 409 : error instanceof InvalidOperation ? 422 : 0;
  return status === 0 ? error : new ApiError(status, { error: `${prefix}${(error as Error).message}` }, format);
}

/** Runs a store call, answering its refusals. */
export function answer<T>(format: Format, run: () => T, prefix = ""): T {
  try {
    return run();
  } catch (error) {
    throw refusal(error, format, prefix);
  }
}

/**
 * A Pro route: the body (if any) is read first, so a malformed one is 400 even without a
 * licence; then the licence (403); then `run`, whose refusals `answerAs` turns into answers.
 */
export function proRoute<T>(
  deps: Pick<AppDeps, "license">,
  feature: Feature,
  read: ((value: unknown) => T) | undefined,
  run: (c: Context, input: T, format: Format) => Response | Promise<Response>,
  answerAs: (error: unknown, format: Format) => unknown = refusal,
): Handler {
  return async (c) => {
    const format = acceptFormat(c.req.raw);
    const input = read ? await readBody(c.req.raw, format, read) : (undefined as T);
    requireLicense(deps, format, feature);
    try {
      return await run(c, input, format);
    } catch (error) {
      throw answerAs(error, format);
    }
  };
}
