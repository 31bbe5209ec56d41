import { ZizqError } from "./zizq-error.ts";

/** One problem a schema found, at a path into the payload such as `items.0.sku`. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** A payload failed its job's schema. Nothing was sent. */
export class ZizqValidationError extends ZizqError {
  override name = "ZizqValidationError";

  constructor(
    /** The job type whose schema failed. */
    readonly jobType: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    const first = issues[0];
    const where = first ? `${first.path === "" ? "payload" : `payload.${first.path}`}: ${first.message}` : "invalid";
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    super(`invalid ${jobType} payload: ${where}${more}`);
  }
}
