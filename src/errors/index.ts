export { ZizqArgumentError } from "./argument-error.ts";
export { ZizqConnectionError } from "./connection-error.ts";
export { ZizqDecodeError } from "./decode-error.ts";
export {
  ZizqBadRequestError,
  ZizqConflictError,
  ZizqHttpError,
  ZizqNotFoundError,
  ZizqServerError,
  ZizqUnprocessableError,
} from "./http-error.ts";
export { ZizqMultipleMatchesError } from "./multiple-matches-error.ts";
export { ZizqProLicenseError } from "./pro-license-error.ts";
export { ZizqRedirectError } from "./redirect-error.ts";
export { ZizqTimeoutError } from "./timeout-error.ts";
export { type ValidationIssue, ZizqValidationError } from "./validation-error.ts";
export { type RequestInfo, ZizqError, type ZizqRequestInfo } from "./zizq-error.ts";
export { type VersionRequirement, ZizqVersionError } from "./version-error.ts";
export { type FrameErrorReason, type FrameFormat, ZizqFrameError } from "./frame-error.ts";
