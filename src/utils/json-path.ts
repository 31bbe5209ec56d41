/** One step into a JSON value: a string is an object key, a number an array index. */
export type Step = string | number;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A key as one jq path step: `.name` when it is an identifier, else `["any key"]`. */
function keyStep(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Steps as error messages name them, jq style: `.items[0]["odd key"]`. */
export function describePath(path: readonly Step[]): string {
  return path.map((step) => (typeof step === "number" ? `[${step}]` : keyStep(step))).join("");
}
