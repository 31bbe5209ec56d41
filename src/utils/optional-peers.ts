/**
 * Optional peer dependencies (DESIGN §2): packages only one entry needs, which the user installs.
 * A missing one is a setup error at once, naming it and the one command that installs them all,
 * instead of the runtime's "cannot find package" from inside our bundle or a failure on first use.
 */
export interface OptionalPeers {
  /** What needs them, as the message starts: `createTestServer`. */
  readonly user: string;
  readonly packages: readonly string[];
  /** The command that installs every package, e.g. `npm install -D hono jq-web`. */
  readonly install: string;
}

type Resolve = (specifier: string) => string;

/**
 * Runs `load` (a dynamic import of the code that imports the peers). Where the runtime resolves
 * a package without loading it (Node, Bun, Deno), every peer is checked first, so one the code
 * imports only on first use is reported now too. A failure is taken for a missing peer only
 * when it quotes the package's name: a runtime whose `import.meta.resolve` throws for any
 * package (workerd under vitest) is left to the load itself.
 */
export async function loadWithPeers<T>(peers: OptionalPeers, load: () => Promise<T>): Promise<T> {
  const meta = import.meta as { resolve?: Resolve };
  // Bun's resolve works only when called on its import.meta.
  const resolve = typeof meta.resolve === "function" ? meta.resolve.bind(meta) : undefined;
  try {
    if (resolve) for (const name of peers.packages) probe(resolve, name);
    return await load();
  } catch (error) {
    const name = peers.packages.find((name) => notFound(error, name));
    throw name === undefined ? error : new Error(`${peers.user} needs the optional package "${name}": ${peers.install}`, { cause: error });
  }
}

function probe(resolve: Resolve, name: string): void {
  try {
    resolve(name);
  } catch (error) {
    if (notFound(error, name)) throw error;
  }
}

/**
 * Whether `error` says that package `name` cannot be found: Node and Bun "Cannot find package
 * 'jq-web'", Deno 'Import "jq-web" not a dependency'; a subpath import adds "/...". An installed
 * package of the wrong version fails otherwise (a missing export) and passes through as it is.
 */
function notFound(error: unknown, name: string): boolean {
  const text = String(error);
  return /cannot find|could not find|not a dependency/i.test(text) && [`'${name}'`, `"${name}"`, `'${name}/`, `"${name}/`].some((quoted) => text.includes(quoted));
}
