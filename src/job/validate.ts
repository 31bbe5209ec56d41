import type { ValidationIssue } from "../errors/validation-error.ts";
import type { StandardSchemaV1 } from "./standard-schema.ts";

/**
 * Runs a Standard Schema; throws `ZizqValidationError` with each issue's dotted path. The error
 * class loads with the first refusal.
 */
export async function validatePayload<Output>(
  jobType: string,
  schema: StandardSchemaV1<unknown, Output>,
  payload: unknown,
): Promise<Output> {
  const result = await schema["~standard"].validate(payload);
  if (result.issues === undefined) return result.value;
  const { ZizqValidationError } = await import("../errors/validation-error.ts");
  throw new ZizqValidationError(jobType, result.issues.map(toIssue));
}

function toIssue(issue: StandardSchemaV1.Issue): ValidationIssue {
  const path = (issue.path ?? [])
    .map((segment) => String(typeof segment === "object" && segment !== null ? segment.key : segment))
    .join(".");
  return { path, message: issue.message };
}
