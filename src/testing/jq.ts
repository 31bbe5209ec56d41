/**
 * jq for payload filters and batch expressions, backed by jq-web (jq itself compiled to
 * WebAssembly). The real server runs jaq; both are jq, so expressions behave alike except in
 * corners where jaq and jq differ.
 */
import type { JqWeb } from "./jq-engine.ts";

/** What jq-web throws when jq exits non-zero, on this thread or another. */
export interface JqFailure {
  exitCode?: number;
  stderr?: string;
  message?: string;
}

/** jq exits 3 on a compile error and 5 on a runtime error. */
const COMPILE_ERROR_EXIT = 3;

export class JqError extends Error {
  constructor(
    readonly kind: "compile" | "runtime",
    message: string,
  ) {
    super(message);
  }
}

let loading: Promise<Jq> | undefined;
let loaded: Jq | undefined;

/**
 * Loads the jq engine once; later calls share it. Loading waits for the first request that
 * needs jq, so the server also runs where WebAssembly cannot be compiled at run time (workerd).
 */
export function loadJq(): Promise<Jq> {
  if (!loading) {
    loading = import("./jq-engine.ts").then(async (mod) => (loaded = new Jq(await mod.jqEngine.ready)));
  }
  return loading;
}

/** The engine if a request has loaded it already (a stored batch expression always has). */
export const loadedJq = (): Jq | undefined => loaded;

/**
 * Shadows the builtins that reach outside one evaluation. `halt` and `halt_error` end jq itself
 * (jaq 3, the server's engine, exits the server process on them): here they are runtime errors,
 * which a payload filter counts as no match, as it does every runtime error. `debug` and
 * `stderr` would print to the test process's stderr; the server only logs them.
 */
const PRELUDE =
  'def halt: error("halt"); def halt_error: error("halt_error"); def halt_error($code): error("halt_error"); ' +
  "def debug: .; def debug($message): .; def stderr: .; ";

/** `$existing` and `$new` bound for a batch expression, whose input is `null` as on the server. */
const withBatchVars = (expr: string) => `. as {existing: $existing, new: $new} | null | (${expr}\n)`;

/**
 * The jq program that maps an array of payloads to whether each matches `expr`: any output
 * other than `false`/`null`; runtime errors do not match. Throws a compile `JqError` for a blank
 * `expr`, which jq would read as `.`.
 */
export function matchProgram(expr: string): string {
  if (isBlank(expr)) throw new JqError("compile", "expected term");
  return `${PRELUDE}[.[] | any(try (${expr}\n); . != null and . != false)]`;
}

/** jq's compact output, one value a line (jq-web gives `undefined` when jq printed nothing). */
export function parseOutput(out: string | undefined): unknown[] {
  return (out ?? "")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as unknown);
}

/** A jq-web failure as a `JqError`: jq exits 3 on a compile error. */
export function toJqError(failure: JqFailure): JqError {
  const kind = failure.exitCode === COMPILE_ERROR_EXIT ? "compile" : "runtime";
  return new JqError(kind, describe(failure.stderr ?? failure.message ?? "jq failed"));
}

export class Jq {
  constructor(private readonly engine: JqWeb) {}

  /** Runs a whole jq program (a `matchProgram`, say) over `input`, JSON text, on this thread. */
  evaluate(input: string, program: string): unknown[] {
    let out: string | undefined;
    try {
      out = this.engine.raw(input, program, ["-c"]);
    } catch (error) {
      throw toJqError(error as JqFailure);
    }
    return parseOutput(out);
  }

  /** The first output of `expr`, or `undefined` when there is none. */
  first(expr: string, existing: unknown, incoming: unknown): unknown {
    const [outputs] = this.evaluate(batchInput(existing, incoming), firstProgram(expr));
    return (outputs as unknown[])[0];
  }

  /** Up to two outputs of `expr`: enough to tell "none", "one" and "more than one" apart. */
  firstTwo(expr: string, existing: unknown, incoming: unknown): unknown[] {
    const [outputs] = this.evaluate(batchInput(existing, incoming), firstTwoProgram(expr));
    return outputs as unknown[];
  }

  /** Throws a `JqError` of kind "compile" when `expr` is not valid jq with `$existing`/`$new` bound. */
  compileBatch(expr: string): void {
    if (isBlank(expr)) throw new JqError("compile", "expected term");
    try {
      this.run(batchInput(null, null), withBatchVars(`if false then (${expr}\n) else null end`));
    } catch (error) {
      if (error instanceof JqError && error.kind === "compile") throw error;
    }
  }

  private run(input: string, filter: string): unknown[] {
    return this.evaluate(input, PRELUDE + filter);
  }
}

const batchInput = (existing: unknown, incoming: unknown) =>
  `{"existing":${JSON.stringify(existing)},"new":${JSON.stringify(incoming)}}`;

const firstProgram = (expr: string) => PRELUDE + withBatchVars(`[first(${expr}\n)]`);
const firstTwoProgram = (expr: string) => PRELUDE + withBatchVars(`[limit(2; ${expr}\n)]`);

/**
 * The jq runs of a batch's dry run at enqueue (`validateBatch`): `when` then `fold`, with the
 * payload as both `$existing` and `$new`.
 */
export function batchDryRuns(
  batch: { when: string; fold: string },
  payload: unknown,
): Array<{ name: "when" | "fold"; input: string; program: string }> {
  const input = batchInput(payload, payload);
  return [
    { name: "when", input, program: firstProgram(batch.when) },
    { name: "fold", input, program: firstTwoProgram(batch.fold) },
  ];
}

/** An expression of nothing but whitespace and comments: jq reads it as `.`, jaq refuses it. */
const isBlank = (expr: string) => /^(?:\s|#[^\n]*)*$/.test(expr);

/** jq's "is not defined" compile error, for jaq's wording of the same error. */
const UNDEFINED = /^jq: error: (\$?)([^\s/]+)(?:\/\d+)? is not defined/;

/**
 * jq's stderr without its "jq: error ...:" prefix, source echo and error count. Undefined names
 * are reported in jaq's words (`undefined filter "f"`, `undefined variable "$x"`, joined by "; ")
 * as the server does; other syntax errors keep jq's wording, which jaq's parser does not share.
 */
function describe(stderr: string): string {
  const lines = stderr.split("\n").filter((line) => line.startsWith("jq: error"));
  const undefinedNames = lines.map((line) => UNDEFINED.exec(line));
  if (undefinedNames.length > 0 && undefinedNames.every((match) => match !== null)) {
    return undefinedNames
      .map((match) => (match?.[1] ? `undefined variable "$${match[2]}"` : `undefined filter "${match?.[2]}"`))
      .join("; ");
  }
  const first = stderr.split("\n")[0] ?? stderr;
  return first
    .replace(/^jq: error(?: \(at [^)]*\))?:? /, "")
    .replace(/ \(Unix shell quoting issues\?\)/, "")
    .replace(/ at <top-level>, line \d+:$/, "");
}
