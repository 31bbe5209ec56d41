// jq-web's module value is a Promise, so `await import("jq-web")` would treat the namespace as
// a thenable; this module imports it statically and hands the promise out inside an object.
import jqWeb from "jq-web";

export const jqEngine = { ready: jqWeb };
