import type { RecordedJob } from "../internals.ts";
import { type Matches, matching } from "./recorded.ts";

/** What the assertions expect: a number of matching jobs, at least one, or none. */
export type Expectation = { times: number } | "some" | "none";

/** An assertion's verdict on what was enqueued, and its failure message in both senses. */
export interface Verdict {
  pass: boolean;
  found: RecordedJob[];
  /** Why it failed, or (for a negated matcher) why it passed. */
  message(): string;
}

const SHOWN_JOBS = 10;
const SHOWN_CHARS = 160;

/** Judges the recorded jobs against an expectation of jobs of `type` matching `pattern`. */
export function judge(recorded: readonly RecordedJob[], type: string, pattern: unknown, expected: Expectation, matches?: Matches): Verdict {
  const found = matching(recorded, type, pattern, matches);
  const pass = expected === "some" ? found.length > 0 : expected === "none" ? found.length === 0 : found.length === expected.times;
  const what = `${type} job${pattern === undefined ? "" : ` with a payload matching ${json(pattern)}`}`;
  const message = () => {
    const head =
      expected === "none"
        ? `expected no ${what} to have been enqueued, found ${found.length}`
        : expected === "some"
          ? `expected a ${what} to have been enqueued, found none`
          : `expected ${expected.times} × ${what} to have been enqueued, found ${found.length}`;
    return [head, ...listing(recorded, type, pattern, matches)].join("\n");
  };
  return { pass, found, message };
}

/** The jobs of `type` enqueued (marking those that match), then a tally of the other types. */
function listing(recorded: readonly RecordedJob[], type: string, pattern: unknown, matches?: Matches): string[] {
  const ofType = recorded.filter(({ job }) => job.type === type);
  const matched = new Set(matching(ofType, type, pattern, matches));
  const lines = [ofType.length === 0 ? `No ${type} job was enqueued since the last reset.` : `${type} jobs enqueued since the last reset (${ofType.length}):`];
  for (const recordedJob of ofType.slice(0, SHOWN_JOBS)) {
    const { job } = recordedJob;
    const mark = pattern === undefined ? "-" : matched.has(recordedJob) ? "✓" : "✗";
    lines.push(`  ${mark} ${json(job.payload)}  (${job.status}, id ${job.id})`);
  }
  if (ofType.length > SHOWN_JOBS) lines.push(`  … and ${ofType.length - SHOWN_JOBS} more`);
  const others = new Map<string, number>();
  for (const { job } of recorded) if (job.type !== type) others.set(job.type, (others.get(job.type) ?? 0) + 1);
  if (others.size > 0) lines.push(`Other jobs enqueued: ${[...others].map(([name, n]) => `${name} × ${n}`).join(", ")}`);
  return lines;
}

/** A value as one line of JSON, cut short when long; a runner's asymmetric matcher as it names itself. */
export function json(value: unknown): string {
  // The holder's own value: a matcher's toJSON has run by the time the replacer sees `item`.
  const text = JSON.stringify(asymmetricName(value) ?? value, function (this: Record<string, unknown>, key, item: unknown) {
    return asymmetricName(this[key]) ?? item;
  }) ?? String(value);
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS - 1)}…` : text;
}

/** `expect.stringContaining("@")` and its kind (vitest's, jest's) print as `StringContaining "@"`. */
function asymmetricName(value: unknown): string | undefined {
  const matcher = value as { asymmetricMatch?: unknown; toAsymmetricMatcher?: () => string; sample?: unknown } | null;
  if (typeof matcher?.asymmetricMatch !== "function") return undefined;
  if (typeof matcher.toAsymmetricMatcher === "function") return matcher.toAsymmetricMatcher();
  const { sample } = matcher;
  if (sample === undefined) return String(matcher);
  return `${String(matcher)} ${typeof sample === "function" ? sample.name : (JSON.stringify(sample) ?? String(sample))}`;
}
