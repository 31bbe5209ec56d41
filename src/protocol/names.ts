/**
 * The server's rule for type, queue and cron names: not empty, no `,` (sets are comma
 * separated), no NUL, none of the reserved `* ? [ ] { } \`. Returns the server's message, or
 * undefined when the name is fine.
 */
export function nameError(field: string, value: string): string | undefined {
  if (value === "") return `${field} must not be empty`;
  if (value.includes(",")) return `${field} must not contain ','`;
  if (value.includes("\0")) return `${field} must not contain null bytes`;
  const reserved = /[*?[\]{}\\]/.exec(value);
  if (reserved) return `${field} must not contain '${reserved[0]}' (reserved)`;
  return undefined;
}
