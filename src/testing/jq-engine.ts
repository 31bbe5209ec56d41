// jq-web's module value is a Promise, so `await import("jq-web")` would treat the namespace as
// a thenable; this module imports it statically and hands the promise out inside an object.
import jqWeb from "jq-web";

/** jq-web's one call: jq's command line over a JSON input string; throws on a non-zero exit. */
export interface JqWeb {
  raw(input: string, filter: string, flags?: string[]): string | undefined;
}

export const jqEngine = { ready: jqWeb as unknown as Promise<JqWeb> };
