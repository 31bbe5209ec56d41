/** `@msgpack/msgpack`, an optional peer: loaded once, by the first use of `format: "msgpack"`. */
import { MSGPACK_PEER, peerError } from "./optional-peers.ts";

type Msgpack = typeof import("@msgpack/msgpack");
let msgpack: Promise<Msgpack> | undefined;

/**
 * Imports `@msgpack/msgpack`; a missing one fails naming the option and its install command. The
 * import has its own `.catch`: bundlers (esbuild, so wrangler) then leave a package that is not
 * installed to the runtime instead of failing the build of every JSON user's bundle.
 */
export function importMsgpack(): Promise<Msgpack> {
  msgpack ??= import("@msgpack/msgpack").catch((error: unknown) => {
    throw peerError(MSGPACK_PEER, error);
  });
  return msgpack;
}
