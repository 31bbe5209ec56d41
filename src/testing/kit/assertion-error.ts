/**
 * Thrown by the test helpers' assert functions (`assertEnqueued`, ...) when the code under test
 * did not do what a test expected. Not a `ZizqError`: nothing in the library failed.
 */
export class ZizqAssertionError extends Error {
  override name = "ZizqAssertionError";
}
