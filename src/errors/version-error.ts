import { ZizqError } from "./zizq-error.ts";

/** A feature of a newer Zizq this server lacks, or a server of another major version. */
export interface VersionRequirement {
  /** What needs the newer server, as the message names it: `"budgets"`. */
  feature: string;
  /** The oldest server version that has it: `"0.7"`. */
  since: string;
}

/**
 * The server is too old for what was asked (`requirement` says what), or its major version
 * differs from the one this client speaks. Raised before anything is written.
 */
export class ZizqVersionError extends ZizqError {
  override name = "ZizqVersionError";

  constructor(
    readonly serverVersion: string,
    readonly supportedMajor: number,
    readonly requirement?: VersionRequirement,
  ) {
    super(
      requirement
        ? `${requirement.feature} need Zizq ${requirement.since} or newer; the server is ${serverVersion}`
        : `the Zizq server runs ${serverVersion}, but this client speaks major version ${supportedMajor}.x`,
    );
  }
}
