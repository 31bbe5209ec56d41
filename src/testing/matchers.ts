/**
 * The matchers of `zizq-edge/testing/vitest`, runner-agnostic: the `expect.extend` protocol
 * (`{ pass, message }`) with whatever of `this` the runner gives. On JSR this is the entry itself,
 * since JSR refuses the module augmentation that types them for vitest (see vitest.ts).
 */
import type { JobDefinition } from "../job/define-job.ts";
import type { PayloadPattern } from "../types/pattern.ts";
import { integerAtLeast } from "../utils/integer.ts";
import type { RecordedJob } from "./internals.ts";
import { matchesWith, payloadMatches } from "../client/payload-match.ts";
import { type Matches, type Recorder, recordedJobs, typeOf } from "./kit/recorded.ts";
import { type Expectation, judge } from "./kit/report.ts";

/** The matchers `zizqMatchers` adds, as vitest's `expect(...)` types them. */
export interface ZizqMatchers<R = unknown> {
  /**
   * Passes when a job of `definition`'s type whose payload matches `payload` (objects partially
   * and recursively, arrays and scalars by equality) was enqueued since the last reset.
   */
  toHaveEnqueued<Input, Output>(definition: JobDefinition<Input, Output>, payload?: PayloadPattern<Input>): R;
  /** Passes when exactly `times` such jobs were enqueued since the last reset. */
  toHaveEnqueuedTimes<Input, Output>(definition: JobDefinition<Input, Output>, times: number, payload?: PayloadPattern<Input>): R;
}

/** What vitest and jest give a matcher as `this`; everything is optional, so any runner with `expect.extend` works. */
export interface ZizqMatcherContext {
  isNot?: boolean;
  /** The runner's deep equality, which knows its asymmetric matchers (`expect.any(String)`). */
  equals?: (actual: unknown, expected: unknown) => boolean;
  utils?: {
    matcherHint?: (name: string, received?: string, expected?: string, options?: { isNot?: boolean }) => string;
    diff?: (expected: unknown, received: unknown) => string | null | undefined;
  };
}

/** The `expect.extend` protocol's answer. */
export interface ZizqMatcherResult {
  pass: boolean;
  message: () => string;
}

/**
 * What `expect.extend` is given: each matcher as the runner calls it, with the received value
 * first. A type, not an interface, so that it fits `expect.extend`'s record of matchers.
 */
export type ZizqMatcherFunctions = {
  toHaveEnqueued(this: ZizqMatcherContext, received: unknown, definition: JobDefinition<any, any>, payload?: unknown): ZizqMatcherResult;
  toHaveEnqueuedTimes(this: ZizqMatcherContext, received: unknown, definition: JobDefinition<any, any>, times: number, payload?: unknown): ZizqMatcherResult;
};

function verdict(context: ZizqMatcherContext, name: string, received: unknown, definition: JobDefinition<any, any>, payload: unknown, expected: Exclude<Expectation, "none">): ZizqMatcherResult {
  const recorded = recordedJobs(received as Recorder);
  const type = typeOf(definition);
  const matches = matcherFor(context);
  const { pass } = judge(recorded, type, payload, expected, matches);
  const message = () => {
    const hint = context.utils?.matcherHint?.(name, "zizq", "definition, payload", { isNot: context.isNot }) ?? name;
    // Negated, what failed is that such jobs exist: the "none" verdict lists them.
    const why = judge(recorded, type, payload, context.isNot && expected === "some" ? "none" : expected, matches).message();
    const text = context.isNot && expected !== "some" ? `${why.replace(/^expected /, "expected not ")}` : why;
    return [hint, text, ...closestDiff(context, recorded, type, payload)].join("\n\n");
  };
  return { pass, message };
}

/**
 * With the runner's `equals`, a pattern may hold its asymmetric matchers where a value goes
 * (`{ to: expect.stringContaining("@") }`): objects still match partially and recursively, and
 * every other value is compared by `equals`, which is deep equality for JSON. Without it, or with
 * no asymmetric matcher in the pattern, it is `payloadMatches` itself.
 */
function matcherFor({ equals }: ZizqMatcherContext): Matches {
  if (equals === undefined) return payloadMatches;
  return (payload, pattern) => (holdsAsymmetric(pattern) ? matchesWith(payload, pattern, equals) : payloadMatches(payload, pattern));
}

function holdsAsymmetric(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (typeof (value as { asymmetricMatch?: unknown }).asymmetricMatch === "function") return true;
  return Object.values(value).some(holdsAsymmetric);
}

/** A diff of the pattern against the payload of `type` that shares most of its top-level values. */
function closestDiff(context: ZizqMatcherContext, recorded: readonly RecordedJob[], type: string, payload: unknown): string[] {
  const diff = context.utils?.diff;
  if (diff === undefined || context.isNot || typeof payload !== "object" || payload === null) return [];
  const score = (candidate: unknown) =>
    typeof candidate === "object" && candidate !== null
      ? Object.entries(payload).filter(([key, value]) => JSON.stringify((candidate as Record<string, unknown>)[key]) === JSON.stringify(value)).length
      : -1;
  let closest: unknown;
  let best = -1;
  for (const { job } of recorded) {
    if (job.type !== type) continue;
    const points = score(job.payload);
    if (points > best) [closest, best] = [job.payload, points];
  }
  if (best < 0) return [];
  const shown = diff(payload, closest);
  return shown ? [`The closest ${type} payload (extra keys are fine):\n${shown}`] : [];
}

/**
 * `expect.extend(zizqMatchers)` adds `toHaveEnqueued` and `toHaveEnqueuedTimes` to vitest's or
 * jest's `expect`, for a test client (`createTestClient`) or a test server made with `recordJobs`.
 *
 * @example
 * ```ts
 * expect.extend(zizqMatchers);
 * expect(zizq).toHaveEnqueued(SendEmail, { to: "a@example.com" });
 * expect(zizq).not.toHaveEnqueued(Unsubscribe);
 * expect(zizq).toHaveEnqueuedTimes(SendEmail, 2);
 * ```
 */
export const zizqMatchers: ZizqMatcherFunctions = {
  toHaveEnqueued(this: ZizqMatcherContext, received: unknown, definition: JobDefinition<any, any>, payload?: unknown): ZizqMatcherResult {
    return verdict(this, "toHaveEnqueued", received, definition, payload, "some");
  },
  toHaveEnqueuedTimes(this: ZizqMatcherContext, received: unknown, definition: JobDefinition<any, any>, times: number, payload?: unknown): ZizqMatcherResult {
    return verdict(this, "toHaveEnqueuedTimes", received, definition, payload, { times: integerAtLeast("times", times, 0) });
  },
};
