/**
 * `npm run example:deno` as a user runs it: the same `deno run` command and permissions as the
 * script in package.json, against its embedded server; Ctrl-C (SIGINT) after its jobs ran must
 * stop it cleanly with exit code 0.
 */
import assert from "node:assert/strict";
import pkg from "../../package.json" with { type: "json" };
import { eventually, within } from "../support/wait.ts";
import { CHILD_MS, reap, start } from "./child.ts";

/** The arguments `npm run example:deno` gives deno, read from package.json so the two cannot drift. */
function exampleArgs(): string[] {
  const script = pkg.scripts["example:deno"];
  const match = /^(?:\w+=\S+ )*deno (.+)$/.exec(script);
  assert.ok(match, `unexpected example:deno script: ${script}`);
  return match[1]!.split(/\s+/);
}

Deno.test("npm run example:deno: processes its typed jobs and stops cleanly on SIGINT", async () => {
  const example = start(Deno.execPath(), exampleArgs());
  try {
    await eventually(() => example.output().includes("worker running"), "the example to start", CHILD_MS);
    const count = (pattern: RegExp) => (example.output().match(pattern) ?? []).length;
    await eventually(
      () => count(/^sent "Welcome"/gm) === 12 && count(/^resized /gm) === 8 && example.output().includes("unsupported format"),
      "the example's jobs to run",
      CHILD_MS,
    );
    example.process.kill("SIGINT");
    const code = await within(example.exited, "the example to exit", CHILD_MS);
    assert.equal(code, 0, example.output());
    assert.match(example.output(), /stopped with exit code 0 \{[^}]*completed: 20,\s*failed: 1,\s*acksPending: 0/);
  } finally {
    await reap(example);
  }
});
