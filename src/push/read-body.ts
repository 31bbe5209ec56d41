import { readCapped } from "../utils/read-capped.ts";
import { ZizqPushRejectedError } from "./errors.ts";

/**
 * The request body as bytes, refusing (413 `payload_too_large`) the moment it passes `maxBytes`:
 * at once from an honest `content-length`, else while reading.
 */
export async function readBodyCapped(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = request.headers.get("content-length");
  if (declared !== null && request.headers.get("transfer-encoding") === null && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    await request.body?.cancel().catch(() => {});
    throw new ZizqPushRejectedError("payload_too_large");
  }
  const { bytes, over } = await readCapped(request.body, maxBytes);
  if (over) throw new ZizqPushRejectedError("payload_too_large");
  return bytes;
}
