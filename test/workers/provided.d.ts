// What the workers project's global setup (Node) hands to tests running inside workerd.
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The loopback URL of a Zizq test server. */
    zizqUrl: string;
  }
}
