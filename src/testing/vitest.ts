/**
 * Matchers for vitest (and jest) on a test client or a recording test server:
 * `expect(zizq).toHaveEnqueued(SendEmail, { to: "a@example.com" })`. Register them once, in a
 * setup file or at the top of a test file: `expect.extend(zizqMatchers)`. This entry imports
 * nothing from vitest at run time; its types add the matchers to vitest's `Matchers` (vitest 3.2
 * and later), which `expect(...)` returns.
 *
 * @module zizq-edge/testing/vitest
 */
import type { ZizqMatchers } from "./matchers.ts";

export * from "./matchers.ts";

declare module "vitest" {
  interface Matchers<T = any> extends ZizqMatchers<T> {}
}
