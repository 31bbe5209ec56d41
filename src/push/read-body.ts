import { ZizqPushRejectedError } from "./errors.ts";

/**
 * The request body as bytes, refusing (413 `payload_too_large`) the moment it passes `maxBytes`:
 * at once from an honest `content-length`, else while reading, cancelling the stream, so a
 * chunked body that never says its length cannot make us buffer more than the cap.
 */
export async function readBodyCapped(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = request.headers.get("content-length");
  if (declared !== null && request.headers.get("transfer-encoding") === null && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    await request.body?.cancel().catch(() => {});
    throw new ZizqPushRejectedError("payload_too_large");
  }
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new ZizqPushRejectedError("payload_too_large");
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return new Uint8Array(chunks[0]!);
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
