import type { RecordedJob } from "../internals.ts";
import { matching } from "./recorded.ts";

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
export function judge(recorded: readonly RecordedJob[], type: string, pattern: unknown, expected: Expectation): Verdict {
  const found = matching(recorded, type, pattern);
  const pass = expected === "some" ? found.length > 0 : expected === "none" ? found.length === 0 : found.length === expected.times;
  const what = `${type} job${pattern === undefined ? "" : ` with a payload matching ${json(pattern)}`}`;
  const message = () => {
    const head =
      expected === "none"
        ? `expected no ${what} to have been enqueued, found ${found.length}`
        : expected === "some"
          ? `expected a ${what} to have been enqueued, found none`
          : `expected ${expected.times} × ${what} to have been enqueued, found ${found.length}`;
    return [head, ...listing(recorded, type, pattern)].join("\n");
  };
  return { pass, found, message };
}

/** The jobs of `type` enqueued (marking those that match), then a tally of the other types. */
function listing(recorded: readonly RecordedJob[], type: string, pattern: unknown): string[] {
  const ofType = recorded.filter(({ job }) => job.type === type);
  const matched = new Set(matching(ofType, type, pattern));
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

/** A value as one line of JSON, cut short when long. */
export function json(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS - 1)}…` : text;
}
