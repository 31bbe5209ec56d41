/** The walker, once loaded: later payloads are checked without waiting for an import. */
let walker: typeof import("./payload-check.ts") | undefined;

/**
 * Refuses a payload that is not plain JSON data (the rule is in payload-check.ts) with a
 * `ZizqValidationError` naming where. The walker loads with the first payload, before its
 * request is sent, and the messages with the first refusal: a producer's bundle carries neither.
 */
export async function checkJsonPayload(jobType: string, payload: unknown): Promise<void> {
  walker ??= await import("./payload-check.ts");
  const found = walker.findNotJson(payload);
  if (found) throw (await import("./payload-error.ts")).notJsonError(jobType, found);
}
