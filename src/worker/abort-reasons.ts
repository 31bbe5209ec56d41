// Why a handler's `ctx.signal` fired: its `reason` is one of these. They extend Error, not
// ZizqError, like the handler errors: they describe the job's fate, not a failure of this library.

/** The job ran past `jobTimeout`; it is failed with this error (retryably). */
export class JobTimeoutError extends Error {
  override name = "JobTimeoutError";
}

/** The worker stopped and its shutdown deadline passed before the handler finished; the job is failed with this error. */
export class WorkerStoppedError extends Error {
  override name = "WorkerStoppedError";
}

/**
 * The take stream the job came on broke (or went silent): the server has handed the job back to
 * be taken again, so the handler should stop. Its failure, if any, is not reported.
 */
export class StreamLostError extends Error {
  override name = "StreamLostError";
}
