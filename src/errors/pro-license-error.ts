import { ZizqHttpError } from "./http-error.ts";
import type { ZizqRequestInfo } from "./zizq-error.ts";

/** 403: the feature (unique jobs, batched jobs, cron) needs a Zizq Pro licence the server lacks. */
export class ZizqProLicenseError extends ZizqHttpError {
  override name = "ZizqProLicenseError";

  constructor(request: ZizqRequestInfo, status: number, serverMessage: string | undefined, body: unknown) {
    super(
      request,
      status,
      serverMessage,
      body,
      `${request.method} ${request.path}: this needs a Zizq Pro licence on the server (${serverMessage ?? "403"})`,
    );
  }
}
