import type { CronBook } from "../cron/crons.ts";
import { ApiError, type Format } from "../http/respond.ts";
import type { PayloadFilter } from "../payload-filter.ts";
import type { JobStore } from "../store/store.ts";
import type { TakeHub } from "../take/hub.ts";
import type { License } from "../types.ts";

/** What the routes work on: the parts of one test server. */
export interface AppDeps {
  store: JobStore;
  crons: CronBook;
  hub: TakeHub;
  license(): License;
  version: string;
  /** jq for `filter` query parameters and the time check of batch dry runs, on a thread if given one. */
  payloadFilter: PayloadFilter;
}

export type Feature = "unique jobs" | "batched jobs" | "cron scheduling";

/** 403 unless the server has a Pro licence, in the server's words for a free or an expired one. */
export function requireLicense(deps: Pick<AppDeps, "license">, format: Format, feature: Feature): void {
  const license = deps.license();
  if (license === "pro") return;
  const base = `${feature} requires a pro license`;
  throw new ApiError(403, { error: license === "expired" ? `License expired. ${base}.` : base }, format);
}
