/**
 * A walk is a table of named steps that Node, Bun, Deno and workerd each register as one test
 * per step, so a failure names the step. Steps run in table order over the state `open` makes
 * (a server, a client), opened once before the first step and closed after the last.
 */
import type { Assert } from "./assert.ts";

export interface Step<State> {
  readonly name: string;
  run(state: State, assert: Assert): Promise<void> | void;
}

export interface Walk<State = void> {
  /** Makes the state the steps share; absent when every step stands alone. */
  open?(assert: Assert): Promise<State> | State;
  close?(state: State): Promise<void> | void;
  readonly steps: readonly Step<State>[];
}

/** The test functions vitest and bun:test both export. */
export interface TestApi {
  describe(name: string, body: () => void): void;
  test(name: string, fn: () => Promise<void>, timeout?: number): void;
  beforeAll(fn: () => Promise<void>, timeout?: number): void;
  afterAll(fn: () => Promise<void>, timeout?: number): void;
}

/** Long enough for the slowest step on a busy machine; each wait inside a step has its own bound. */
export const STEP_TIMEOUT_MS = 30_000;

/**
 * Registers `walk` with vitest or bun:test: a `describe` named `title`, one test per step. Steps
 * that share state depend on the ones before, so after a failed step the later ones fail at
 * once, naming it, instead of failing on what it left behind.
 */
export function registerWalk<State>(api: TestApi, title: string, walk: Walk<State>, assert: Assert): void {
  api.describe(title, () => {
    const run = walkRunner(walk, assert);
    api.beforeAll(run.open, STEP_TIMEOUT_MS);
    api.afterAll(run.close, STEP_TIMEOUT_MS);
    for (const step of walk.steps) api.test(step.name, () => run.step(step), STEP_TIMEOUT_MS);
  });
}

/** The shared state and the stop-after-failure rule of `registerWalk`, for runners with their own step API (Deno's `t.step`). */
export function walkRunner<State>(walk: Walk<State>, assert: Assert) {
  let state: State | undefined;
  let opened = false;
  let failed: string | undefined;
  const blockedBy = (): string | undefined => (walk.open ? failed : undefined);
  return {
    blockedBy,
    async open(): Promise<void> {
      state = await walk.open?.(assert);
      opened = true;
    },
    async close(): Promise<void> {
      if (opened) await walk.close?.(state as State);
    },
    async step(step: Step<State>): Promise<void> {
      const blocker = blockedBy();
      if (blocker !== undefined) throw new Error(`not run: the earlier step "${blocker}" failed`);
      try {
        await step.run(state as State, assert);
      } catch (error) {
        failed ??= step.name;
        throw error;
      }
    },
  };
}
