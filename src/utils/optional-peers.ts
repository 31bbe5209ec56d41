/**
 * Optional peer dependencies: packages only one entry needs, which the user installs.
 * A missing one is a setup error at once, naming it and the one command that installs them all,
 * instead of the runtime's "cannot find package" from inside our bundle or a failure on first use.
 */
import { ZizqArgumentError } from "../errors/argument-error.ts";
import { ZizqError } from "../errors/zizq-error.ts";

export interface OptionalPeers {
  /** What needs them, as the message starts: `createTestServer`. */
  readonly user: string;
  readonly packages: readonly string[];
  /** The command that installs every package, e.g. `npm install -D hono jq-web`. */
  readonly install: string;
  /** Why they are needed, when the name of the user does not say. */
  readonly why?: string;
  /**
   * The option that needs them, when one does: a missing peer is then a `ZizqArgumentError`
   * naming it (`user` is its value), which no retry mends, so a Worker stops rather than reconnects.
   */
  readonly field?: string;
}

/**
 * MessagePack is opt-in (`format: "msgpack"`), so its codec is an optional peer: JSON users,
 * the default, never install it.
 */
export const MSGPACK_PEER: OptionalPeers = {
  field: "format",
  user: '"msgpack"',
  packages: ["@msgpack/msgpack"],
  install: "npm install @msgpack/msgpack",
};

type Resolve = (specifier: string) => string;

/**
 * Runs `load` (a dynamic import of the code that imports the peers). Where the runtime resolves
 * a package without loading it (Node, Bun, Deno), every peer is checked first, so one the code
 * imports only on first use is reported now too. A failure is taken for a missing peer only
 * when it quotes the package's name: a runtime whose `import.meta.resolve` throws for any
 * package (workerd under vitest) is left to the load itself.
 */
export async function loadWithPeers<T>(peers: OptionalPeers, load: () => Promise<T>): Promise<T> {
  assertPeers(peers);
  try {
    return await load();
  } catch (error) {
    throw peerError(peers, error);
  }
}

/** A failed load's error: the setup error when it says one of the peers cannot be found, else the error itself. */
export function peerError(peers: OptionalPeers, error: unknown): unknown {
  const name = peers.packages.find((name) => notFound(error, name));
  return name === undefined ? error : missingPeer(peers, name, error);
}

/** Throws the setup error now for a peer the runtime cannot resolve, where it can tell without loading (Node, Bun, Deno). */
export function assertPeers(peers: OptionalPeers): void {
  const meta = import.meta as { resolve?: Resolve };
  if (typeof meta.resolve !== "function") return;
  // Bun's resolve works only when called on its import.meta.
  const resolve = meta.resolve.bind(meta);
  for (const name of peers.packages) {
    try {
      resolve(name);
    } catch (error) {
      if (notFound(error, name)) throw missingPeer(peers, name, error);
    }
  }
}

function missingPeer(peers: OptionalPeers, name: string, cause: unknown): ZizqError {
  const why = peers.why === undefined ? "" : ` (${peers.why})`;
  const message = `${peers.user} needs the optional package "${name}"${why}: ${peers.install}`;
  return peers.field === undefined ? new ZizqError(message, undefined, { cause }) : new ZizqArgumentError(peers.field, message, { cause });
}

/**
 * Whether `error` says that package `name` cannot be found: Node and Bun "Cannot find package
 * 'jq-web'", Deno 'Import "jq-web" not a dependency', workerd (a bundle that left the import to
 * the runtime) 'No such module "jq-web"'; a subpath import adds "/...". An installed
 * package of the wrong version fails otherwise (a missing export) and passes through as it is.
 */
function notFound(error: unknown, name: string): boolean {
  const text = String(error);
  return /cannot find|could not find|not a dependency|no such module/i.test(text) && [`'${name}'`, `"${name}"`, `'${name}/`, `"${name}/`].some((quoted) => text.includes(quoted));
}
