/** A store refusal the server reports as 422 (its `InvalidOperation`). */
export class InvalidOperation extends Error {}

/** A failure the server can only report as 500 `internal server error`. */
export class InternalError extends Error {}
