import { ZizqArgumentError } from "../errors/argument-error.ts";

/** `/jobs/{id}` with the id escaped; an empty id would address `/jobs` itself. */
export function jobPath(id: string): string {
  if (typeof id !== "string" || id === "") throw new ZizqArgumentError("id", "expected a job id");
  return `/jobs/${encodeURIComponent(id)}`;
}
