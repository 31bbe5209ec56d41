import { defineConfig } from "tsdown";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    testing: "src/testing/index.ts",
    // `zizq-edge/testing/vitest`: the matchers, apart so that only their users see vitest's types.
    "testing-vitest": "src/testing/vitest.ts",
    node: "adapters/node.ts",
    bun: "adapters/bun.ts",
    deno: "adapters/deno.ts",
    cloudflare: "adapters/cloudflare.ts",
    hono: "adapters/hono.ts",
    push: "src/push/index.ts",
    otel: "src/otel/index.ts",
    // The `zizq-edge-dev-server` bin: the test server on a port.
    "dev-server": "scripts/test-server.ts",
  },
  format: "esm",
  dts: true,
  platform: "neutral",
  // Only the Node adapter imports Node built-ins; they stay imports in its bundle. Dependencies
  // and peers stay imports too (tsdown's default), so users share and update their copies.
  deps: { neverBundle: [/^node:/] },
  // Rolldown warns when plugins take much of the build; on a busy 2-core machine the type
  // bundling always does, and the warning says nothing about the output.
  checks: { pluginTimings: false },
  // The TSDoc ships in the .d.ts files, where editors read it; in the JavaScript it only adds bytes.
  outputOptions: { comments: { legal: true, annotation: true, jsdoc: false } },
  outDir: "dist",
  clean: true,
});
