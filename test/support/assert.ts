/**
 * The assertions the shared walks and checks use. `node:assert/strict` is one (Node, Bun, Deno);
 * where there is no `node:assert` (workerd), `vitestAssert` in vitest-assert.ts is another.
 */
export interface Assert {
  ok(value: unknown, message?: string): void;
  equal(actual: unknown, expected: unknown, message?: string): void;
  notEqual(actual: unknown, expected: unknown, message?: string): void;
  deepEqual(actual: unknown, expected: unknown, message?: string): void;
}
