import { ZizqError } from "./zizq-error.ts";

/** The server's major version differs from the one this client speaks. */
export class ZizqVersionError extends ZizqError {
  override name = "ZizqVersionError";

  constructor(
    readonly serverVersion: string,
    readonly supportedMajor: number,
  ) {
    super(`the Zizq server runs ${serverVersion}, but this client speaks major version ${supportedMajor}.x`);
  }
}
