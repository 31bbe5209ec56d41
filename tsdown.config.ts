import { defineConfig } from "tsdown";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    testing: "src/testing/index.ts",
    node: "adapters/node.ts",
    bun: "adapters/bun.ts",
    deno: "adapters/deno.ts",
    cloudflare: "adapters/cloudflare.ts",
    hono: "adapters/hono.ts",
  },
  format: "esm",
  dts: true,
  platform: "neutral",
  // Only the Node adapter imports Node built-ins; they stay imports in its bundle.
  external: [/^node:/],
  outDir: "dist",
  clean: true,
});
