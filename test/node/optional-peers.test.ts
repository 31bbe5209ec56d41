/** Optional peers: a missing one is named at once with the command that installs them all. */
import { describe, expect, it } from "vitest";
import { loadWithPeers } from "../../src/utils/optional-peers.ts";

const peers = { user: "createTestServer", packages: ["hono", "zizq-edge-absent-peer"], install: "npm install -D hono zizq-edge-absent-peer" };
const message = 'createTestServer needs the optional package "zizq-edge-absent-peer": npm install -D hono zizq-edge-absent-peer';

describe("loadWithPeers", () => {
  it("names a missing peer before loading, even one the code would import only later", async () => {
    let loaded = false;
    const error = await loadWithPeers(peers, async () => (loaded = true)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(message);
    expect(loaded).toBe(false);
  });

  it("names the peer a failed load could not find, in Node's, Deno's and workerd's wording", async () => {
    const present = { ...peers, packages: ["hono", "vitest"] };
    for (const text of ["Cannot find package 'vitest' imported from /app/dist/testing.js", 'Import "vitest/config" not a dependency', 'No such module "vitest".']) {
      const cause = new Error(text);
      const error = (await loadWithPeers(present, () => Promise.reject(cause)).catch((caught: unknown) => caught)) as Error;
      expect(error.message).toBe('createTestServer needs the optional package "vitest": npm install -D hono zizq-edge-absent-peer');
      expect(error.cause).toBe(cause);
    }
  });

  it("passes other failures through, an installed peer of the wrong version among them, and the loaded module back", async () => {
    const present = { ...peers, packages: ["hono"] };
    const other = new TypeError("boom");
    await expect(loadWithPeers(present, () => Promise.reject(other))).rejects.toBe(other);
    const tooOld = new SyntaxError("The requested module 'hono/ws' does not provide an export named 'defineWebSocketHelper'");
    await expect(loadWithPeers(present, () => Promise.reject(tooOld))).rejects.toBe(tooOld);
    await expect(loadWithPeers(present, async () => 42)).resolves.toBe(42);
  });
});
