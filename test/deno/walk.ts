/** A shared walk (test/support/walk.ts) as one Deno test whose steps are `t.step`s, so a failure names the step. */
import type { Assert } from "../support/assert.ts";
import { type Walk, walkRunner } from "../support/walk.ts";

export function denoWalk<State>(title: string, walk: Walk<State>, assert: Assert): void {
  Deno.test(title, async (t) => {
    const run = walkRunner(walk, assert);
    await run.open();
    try {
      // After a failed step, the steps that depend on it are reported as ignored.
      for (const step of walk.steps) await t.step({ name: step.name, ignore: run.blockedBy() !== undefined, fn: () => run.step(step) });
    } finally {
      await run.close();
    }
  });
}
