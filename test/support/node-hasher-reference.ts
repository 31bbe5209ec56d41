/**
 * An independent implementation of the official Node client's unique-key hasher
 * (zizq-labs/zizq-node, src/payload-hasher.ts, `payloadHasher`), written from its published
 * algorithm to compute the vectors in test/fixtures/node-unique-key-vectors.json
 * (`npx tsx scripts/node-key-vectors.ts`). A second reader checked these steps against that file
 * and src/batch-config.ts at zizq-node commit 0b0dddb3c4cb820f8d74b92b961036edf63bd220. It shares no code with src/unique-key/, and follows
 * the published steps literally, with node:crypto's incremental hash as that client uses:
 *
 * 1. The payload goes through `JSON.parse(JSON.stringify(payload))`.
 * 2. `only`: each path is walked (a missing hop or a null before the end skips the path; `.`
 *    returns the whole payload); found values are set at their nesting in a new `{}` or `[]`,
 *    arrays growing sparse (a slot never set stays a hole). Nothing found gives `{}`.
 *    `except`: each path is deleted from a clone in turn (`delete` for a key, `splice` for an
 *    index; mismatches ignored; `.` gives null).
 * 3. The hash is fed: a scalar as `JSON.stringify` writes it; an array as `[`, each item followed
 *    by `,`, then `]`; an object as `{`, then per key in `Object.keys().sort()` order
 *    `JSON.stringify(key)`, `:`, the value and `,`, then `}`. A hole is fed `undefined`, which
 *    node:crypto refuses (a TypeError): that client cannot hash such a selection.
 * 4. SHA-256, lowercase hex, after `<type>:` unless the prefix is turned off.
 */
import { createHash, type Hash } from "node:crypto";

type Step = { key: string } | { index: number };

/** The path grammar: `.`, `.name`, `[n]`, `["quoted"]` (a backslash takes the next character), extra dots skipped. */
export function parseNodePath(path: string): Step[] {
  if (!path.startsWith(".")) throw new Error(`path must start with '.': ${path}`);
  const steps: Step[] = [];
  const pattern = /\.|\[(\d+)\]|\["((?:\\.|[^"\\])*)"\]|([A-Za-z_][A-Za-z0-9_]*)/y;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < path.length) {
    const at = pattern.lastIndex;
    const match = pattern.exec(path);
    if (!match) throw new Error(`bad path at ${at}: ${path}`);
    if (match[1] !== undefined) steps.push({ index: Number(match[1]) });
    else if (match[2] !== undefined) steps.push({ key: match[2].replace(/\\(.)/g, "$1") });
    else if (match[3] !== undefined) steps.push({ key: match[3] });
  }
  return steps;
}

const MISSING = Symbol("missing");

function follow(value: unknown, steps: Step[]): unknown {
  let at: unknown = value;
  for (const step of steps) {
    if (at === null || at === undefined) return MISSING;
    if ("key" in step) {
      if (typeof at !== "object" || Array.isArray(at) || !(step.key in (at as object))) return MISSING;
      at = (at as Record<string, unknown>)[step.key];
    } else {
      if (!Array.isArray(at) || step.index >= at.length) return MISSING;
      at = at[step.index];
    }
  }
  return at;
}

function pickAll(source: unknown, paths: Step[][]): unknown {
  let root: Record<string | number, unknown> | undefined;
  for (const steps of paths) {
    if (steps.length === 0) return source;
    const found = follow(source, steps);
    if (found === MISSING) continue;
    root ??= ("key" in steps[0]! ? {} : []) as Record<string | number, unknown>;
    let at = root;
    steps.forEach((step, i) => {
      const slot = "key" in step ? step.key : step.index;
      if (i === steps.length - 1) {
        at[slot] = found;
      } else {
        at[slot] ??= "key" in steps[i + 1]! ? {} : [];
        at = at[slot] as Record<string | number, unknown>;
      }
    });
  }
  return root ?? {};
}

function deleteAt(value: unknown, steps: Step[]): unknown {
  if (steps.length === 0) return null;
  const copy = structuredClone(value);
  let parent: unknown = copy;
  for (const step of steps.slice(0, -1)) {
    if (parent === null || parent === undefined) return copy;
    if ("key" in step) {
      if (typeof parent !== "object" || Array.isArray(parent)) return copy;
      parent = (parent as Record<string, unknown>)[step.key];
    } else {
      if (!Array.isArray(parent)) return copy;
      parent = parent[step.index];
    }
  }
  if (parent === null || typeof parent !== "object") return copy;
  const last = steps[steps.length - 1]!;
  if ("key" in last && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[last.key];
  if ("index" in last && Array.isArray(parent)) parent.splice(last.index, 1);
  return copy;
}

function feed(hash: Hash, value: unknown, text: string[]): void {
  const put = (part: string) => {
    hash.update(part);
    text.push(part);
  };
  if (value === null || typeof value !== "object") {
    put(JSON.stringify(value) as string);
  } else if (Array.isArray(value)) {
    put("[");
    // Iterated as the published code does: `for...of` visits holes as undefined.
    for (const item of value) {
      feed(hash, item, text);
      put(",");
    }
    put("]");
  } else {
    put("{");
    for (const key of Object.keys(value).sort()) {
      put(JSON.stringify(key));
      put(":");
      feed(hash, (value as Record<string, unknown>)[key], text);
      put(",");
    }
    put("}");
  }
}

export interface NodeHasherOptions {
  only?: string[];
  except?: string[];
  /** The job type for the `<type>:` prefix; left out for the bare hex. */
  type?: string;
}

/** The text fed to the hash and the key, or throws where the Node client throws. */
export function nodeReferenceKey(payload: unknown, options: NodeHasherOptions): { text: string; key: string } {
  let value: unknown = JSON.parse(JSON.stringify(payload));
  if (options.only) value = pickAll(value, options.only.map(parseNodePath));
  if (options.except) for (const steps of options.except.map(parseNodePath)) value = deleteAt(value, steps);
  const hash = createHash("sha256");
  const text: string[] = [];
  feed(hash, value, text);
  const hex = hash.digest("hex");
  return { text: text.join(""), key: options.type === undefined ? hex : `${options.type}:${hex}` };
}
