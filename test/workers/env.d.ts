// Types for the workers test project (tsconfig.json here); no runtime code.

declare namespace Cloudflare {
  interface GlobalProps {
    /** Types `exports` from "cloudflare:workers" (loopback bindings to the Worker's exports). */
    mainModule: typeof import("./worker.ts");
  }
}

/**
 * workers-types declares `clearTimeout(timeoutId: number | null)`, but the web platform (and
 * workerd itself) accept `undefined`, which the runtime-neutral code passes for "no timer yet".
 */
declare function clearTimeout(timeoutId: number | null | undefined): void;
