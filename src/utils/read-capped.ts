/**
 * Reads a body to its end or until it passes `maxBytes`, whichever comes first: past the cap the
 * stream is cancelled, so a body that never ends, or never says its length, cannot make us buffer
 * more than the cap and one chunk. `over` says the cap was passed; `bytes` holds what was read,
 * the chunk that passed it included. Rejects with `signal`'s reason when it aborts.
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; over: boolean }> {
  if (body === null) return { bytes: new Uint8Array(0), over: false };
  const reader = body.getReader();
  const onAbort = (): void => void reader.cancel(signal?.reason).catch(noop);
  signal?.addEventListener("abort", onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let total = 0;
  let over = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
      if (total > maxBytes) {
        over = true;
        await reader.cancel().catch(noop);
        break;
      }
    }
    if (signal?.aborted) throw signal.reason;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  return { bytes: concat(chunks, total), over };
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array<ArrayBuffer> {
  if (chunks.length === 1) return new Uint8Array(chunks[0]!);
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

function noop(): void {}
