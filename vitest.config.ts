import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

import importMap from "./examples/import-map.json" with { type: "json" };

/**
 * `zizq-edge` and its subpaths resolve to the sources, so examples import the package by name as
 * users do. One map serves Deno (`--import-map`) and vitest; tsconfig.json `paths` repeats it for tsc, tsx and Bun.
 */
const alias = Object.entries(importMap.imports).map(([name, path]) => ({
  find: new RegExp(`^${name}$`),
  replacement: new URL(path, new URL("./examples/", import.meta.url)).pathname,
}));

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "node",
          // jq-web's CommonJS export is a Promise; vitest's default interop would turn the module
          // namespace into a thenable and break `import("jq-web")` in the test server.
          deps: { interopDefault: false },
          // A real Zizq (ZIZQ_URL) is one shared store that every test resets: one file at a time.
          fileParallelism: !process.env.ZIZQ_URL,
          include: ["test/node/**/*.test.ts", "test/contract/**/*.test.ts"],
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      {
        resolve: { alias },
        test: {
          // The dashboard in Debian's Chromium, driven by playwright-core.
          name: "browser",
          deps: { interopDefault: false },
          include: ["test/browser/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        resolve: { alias },
        plugins: [
          cloudflareTest({
            main: "./test/workers/worker.ts",
            miniflare: { compatibilityDate: "2025-09-01" },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          globalSetup: ["test/workers/global-setup.ts"],
        },
      },
    ],
  },
});
