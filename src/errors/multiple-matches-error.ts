import { ZizqError } from "./zizq-error.ts";

/**
 * A single-job call (`updateOne`, `deleteOne`) found more than one job matching its query, and
 * changed none. Narrow the filter (by id, say) or use the call's `All` form.
 */
export class ZizqMultipleMatchesError extends ZizqError {
  override name = "ZizqMultipleMatchesError";

  constructor(
    /** The call that refused: `"updateOne"` or `"deleteOne"`. */
    readonly operation: string,
    /** The first two matching jobs' ids (more may match). */
    readonly ids: readonly string[],
  ) {
    super(`${operation}: more than one job matches (at least ${ids.join(" and ")}), so nothing was changed; narrow the filter or use ${operation.replace("One", "All")}`);
  }
}
