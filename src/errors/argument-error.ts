import { ZizqError } from "./zizq-error.ts";

/** A call was given an option or value it cannot use; the message names it. Nothing was sent. */
export class ZizqArgumentError extends ZizqError {
  override name = "ZizqArgumentError";

  constructor(
    /** The option or field at fault, e.g. `filter.staus` or `delay`. */
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, undefined, options);
  }
}
