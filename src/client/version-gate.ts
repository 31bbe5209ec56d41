import { ZizqVersionError } from "../errors/version-error.ts";
import type { Transport } from "./transport.ts";
import { SUPPORTED_MAJOR } from "./version.ts";

/*
 * Apart from version.ts on purpose: its SUPPORTED_MAJOR is in every bundle, and this loads only
 * with the first call that needs a newer server.
 */

/** Features a 0.6 server would silently ignore (running a job unthrottled, a cron in the wrong zone). */
export type NewerFeature = "budgets" | "cron group timezones";

/** The server version each feature arrived in, as [major, minor]. */
const SINCE: Record<NewerFeature, readonly [number, number]> = {
  budgets: [0, 7],
  "cron group timezones": [0, 7],
};

/** Each client's server version, asked once, on the first call that needs it. */
const versions = new WeakMap<Transport, Promise<string>>();

function serverVersion(transport: Transport): Promise<string> {
  let version = versions.get(transport);
  if (!version) {
    version = transport.send({ method: "GET", path: "/version", idempotent: true, reply: (r) => r.version }).then((reply) => reply.body.version);
    // A version that could not be learned is asked again by the next call.
    version.catch(() => versions.delete(transport));
    versions.set(transport, version);
  }
  return version;
}

/**
 * Resolves when the client's server has `feature`, else throws `ZizqVersionError` before the
 * caller writes anything. A server whose version does not parse is taken as too old.
 */
export async function requireFeature(transport: Transport, feature: NewerFeature): Promise<void> {
  const version = await serverVersion(transport);
  const [major, minor] = SINCE[feature];
  const parsed = /^(\d+)\.(\d+)/.exec(version);
  const serverMajor = Number(parsed?.[1]);
  const serverMinor = Number(parsed?.[2]);
  if (parsed && (serverMajor > major || (serverMajor === major && serverMinor >= minor))) return;
  throw new ZizqVersionError(version, SUPPORTED_MAJOR, { feature, since: `${major}.${minor}` });
}
