/**
 * The Rust client's payload paths (`#[zizq(unique(only = [..]))]`): parsing them, and picking or
 * removing them from a JSON value the way its jq_path module does.
 */
import { ZizqArgumentError } from "../errors/argument-error.ts";

import type { Step } from "../utils/json-path.ts";

export type { Step };
export type Selection = { kind: "only" | "except"; paths: Step[][] } | undefined;
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Rust's compile-time path grammar: `.`, `.name`, `[0]`, `["any key"]`; extra dots are skipped. */
export function parsePath(path: unknown, field: string): Step[] {
  const fail = (why: string): never => {
    throw new ZizqArgumentError(field, `${why} in path ${JSON.stringify(path)}`);
  };
  if (typeof path !== "string") throw new ZizqArgumentError(field, `expected a path string, got ${typeof path}`);
  if (path[0] !== ".") fail("expected a leading '.'");
  const steps: Step[] = [];
  let i = 1;
  while (i < path.length) {
    const char = path[i] as string;
    if (char === ".") {
      i++;
    } else if (char === "[" && path[i + 1] === '"') {
      let name = "";
      for (i += 2; i < path.length && path[i] !== '"'; i++) {
        // A backslash makes the next character literal (`\"` is a quote, `\n` is "n").
        if (path[i] === "\\" && i + 1 < path.length) i++;
        name += path[i];
      }
      if (path[i + 1] !== "]") fail("expected '\"]' to close a quoted key");
      steps.push(name);
      i += 2;
    } else if (char === "[") {
      const close = path.indexOf("]", i);
      const digits = close < 0 ? "" : path.slice(i + 1, close);
      if (!/^[0-9]+$/.test(digits) || !Number.isSafeInteger(Number(digits))) fail("expected an array index such as [0]");
      steps.push(Number(digits));
      i = close + 1;
    } else if (/[A-Za-z_]/.test(char)) {
      const start = i;
      while (i < path.length && /[A-Za-z0-9_]/.test(path[i] as string)) i++;
      steps.push(path.slice(start, i));
    } else {
      fail(`unexpected ${JSON.stringify(char)} at offset ${i}`);
    }
  }
  return steps;
}

export function parseSelection(options: { only?: readonly string[]; except?: readonly string[] }): Selection {
  if (options.only !== undefined && options.except !== undefined) {
    throw new ZizqArgumentError("only", "give only or except, not both");
  }
  const kind = options.only !== undefined ? "only" : options.except !== undefined ? "except" : undefined;
  if (!kind) return undefined;
  const list = options[kind];
  if (!Array.isArray(list)) throw new ZizqArgumentError(kind, "expected an array of path strings");
  return { kind, paths: list.map((path, index) => parsePath(path, `${kind}[${index}]`)) };
}

const isObject = (value: Json | undefined): value is { [key: string]: Json } =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The child at one step, or undefined when the key is absent, the index past the end or the shape wrong. */
function child(value: Json | undefined, step: Step): Json | undefined {
  if (typeof step === "number") return Array.isArray(value) ? value[step] : undefined;
  return isObject(value) && Object.hasOwn(value, step) ? value[step] : undefined;
}

/**
 * jq_path::pick: rebuild the picked values at their original nesting; `.` anywhere returns all.
 * Array slots before a picked index hold `filler`: null in Rust; the Node client leaves holes.
 */
export function pick(source: Json, paths: readonly Step[][], filler: Json = null): Json {
  let target: Json = null;
  for (const path of paths) {
    if (path.length === 0) return source;
    let picked: Json | undefined = source;
    for (const step of path) picked = child(picked, step);
    if (picked === undefined) continue;
    target ??= container(path[0] as Step);
    setPath(target, path, picked, filler);
  }
  return target ?? {};
}

// Fresh objects without a prototype, so that keys such as "__proto__" stay ordinary keys.
const container = (next: Step): Json => (typeof next === "number" ? [] : (Object.create(null) as Json));

/** jq_path::set_path: creates `{}`/`[]` on the way, pads arrays with `filler`, gives up on a shape clash. */
function setPath(target: Json, path: readonly Step[], value: Json, filler: Json): void {
  let at = target;
  for (let i = 0; i < path.length; i++) {
    const step = path[i] as Step;
    const last = i === path.length - 1;
    if (typeof step === "number") {
      if (!Array.isArray(at)) return;
      while (at.length <= step) at.push(filler);
      if (last) at[step] = value;
      else if (at[step] === filler) at[step] = container(path[i + 1] as Step);
      at = at[step] as Json;
    } else {
      if (!isObject(at)) return;
      if (last) at[step] = value;
      else if (!Object.hasOwn(at, step)) at[step] = container(path[i + 1] as Step);
      at = at[step] as Json;
    }
  }
}

/** jq_path::remove: deletes one path in place (indices after it shift); misses are no-ops. */
export function remove(root: Json, path: readonly Step[]): Json {
  if (path.length === 0) return null;
  let parent: Json | undefined = root;
  for (let i = 0; i < path.length - 1; i++) parent = child(parent, path[i] as Step);
  const step = path[path.length - 1] as Step;
  if (typeof step === "number") {
    if (Array.isArray(parent) && step < parent.length) parent.splice(step, 1);
  } else if (isObject(parent)) {
    delete parent[step];
  }
  return root;
}
