/** A store refusal the server reports as 422 (its `InvalidOperation`). */
export class InvalidOperation extends Error {}

/** A failure the server can only report as 500 `internal server error`. */
export class InternalError extends Error {}

/** A lookup that found nothing: 404 with the message. */
export class NotFound extends Error {}

/** A write that collides with what exists: 409 with the message. */
export class Conflict extends Error {}
