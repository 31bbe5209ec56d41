import { ZizqArgumentError } from "../errors/argument-error.ts";
import { checkFunction, checkObject } from "./arguments.ts";

/** One level of a `Logger`: a message and, optionally, details (`{ error }` carries an error). */
export type LogMethod = (message: string, details?: unknown) => void;

/** What handlers get as `ctx.log`, and what the worker, push endpoint and relay log through. */
export interface Logger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
}

/**
 * What a `logger` option takes: `console`, a pino logger or a winston logger as they are, or any
 * object with `warn` and `error` (`debug` and `info` too if it has them), which is called as
 * `(message, details)` with an error under `details.error`.
 */
export type LoggerOption = Pick<Logger, "warn" | "error"> & Partial<Pick<Logger, "debug" | "info">>;

const LEVELS = ["debug", "info", "warn", "error"] as const;
type Level = (typeof LEVELS)[number];

const adapted = new WeakSet<Logger>();

/**
 * The `Logger` that writes to `option` in its own convention, so that an error and its cause
 * reach the output: pino wants `(fields, message)` with the error under `err` (its serializer
 * keeps the stack and causes); winston's JSON output drops an Error's message, stack and cause,
 * so it gets them as plain fields; console gets the error as an argument of its own, since it
 * shows causes only a few levels deep. A level the option lacks logs nothing.
 */
export function toLogger(option: LoggerOption): Logger {
  if (adapted.has(option as Logger)) return option as Logger;
  checkLogger(option);
  const write = writerFor(option as Target);
  const logger = Object.fromEntries(
    LEVELS.map((level) => [level, (message: string, details?: unknown) => write(level, message, details)]),
  ) as unknown as Logger;
  adapted.add(logger);
  return logger;
}

type Target = Partial<Record<Level | "bindings" | "log" | "table" | "dir", (...args: unknown[]) => unknown>> & { transports?: unknown };
type Write = (level: Level, message: string, details: unknown) => void;

/** How to call `target`, told by what it has: pino has `bindings()`, winston transports, a console `table` and `dir`. */
function writerFor(target: Target): Write {
  if (typeof target.bindings === "function") return (level, message, details) => void target[level]?.(pinoFields(details), message);
  const convert =
    typeof target.log === "function" && Array.isArray(target.transports)
      ? (details: unknown) => [plain(details)]
      : typeof target.table === "function" && typeof target.dir === "function"
        ? consoleArgs
        : (details: unknown) => [details];
  return (level, message, details) => void target[level]?.(message, ...(details === undefined ? [] : convert(details)));
}

/** pino's merge object: the details' fields, the error under `err` where its serializer looks. */
function pinoFields(details: unknown): object {
  if (details === undefined) return {};
  if (details instanceof Error) return { err: details };
  if (typeof details !== "object" || details === null) return { details };
  const { error, ...rest } = details as { error?: unknown };
  return error === undefined ? rest : { ...rest, err: error };
}

/** The details, with the error as an argument of its own: console shows one more level of causes. */
function consoleArgs(details: unknown): unknown[] {
  if (typeof details !== "object" || details === null || details instanceof Error) return [details];
  const { error, ...rest } = details as { error?: unknown };
  if (error === undefined) return [details];
  return Object.keys(rest).length === 0 ? [error] : [rest, error];
}

/** The details with each Error in them, or the details itself if an Error, as plain fields. */
function plain(details: unknown): unknown {
  if (typeof details !== "object" || details === null || details instanceof Error || Array.isArray(details)) return plainError(details);
  return Object.fromEntries(Object.entries(details).map(([key, field]) => [key, plainError(field)]));
}

/** An Error as its name, message, stack, own fields and causes (8 deep at most); anything else as is. */
function plainError(value: unknown, depth = 0): unknown {
  if (!(value instanceof Error)) return value;
  const { name, message, stack } = value;
  const cause = value.cause === undefined || depth === 8 ? {} : { cause: plainError(value.cause, depth + 1) };
  return { ...value, name, message, stack, ...cause };
}

/** Refuses, when an option is read, a logger that would throw at its first use. */
function checkLogger(logger: LoggerOption): void {
  checkObject("logger", logger, true);
  for (const level of ["warn", "error"] as const) {
    if (typeof logger[level] !== "function") throw new ZizqArgumentError(`logger.${level}`, "expected a function (a logger needs warn and error)");
  }
  checkFunction("logger.info", logger.info);
  checkFunction("logger.debug", logger.debug);
}

/**
 * A line's details with `fields` joined: an Error given as the details goes under `error`, another
 * non-object value under `details`; the line's own fields win over `fields`.
 */
export function joinFields(fields: object, details: unknown): object {
  if (details === undefined) return fields;
  if (details instanceof Error) return { ...fields, error: details };
  if (typeof details !== "object" || details === null || Array.isArray(details)) return { ...fields, details };
  return { ...fields, ...details };
}
