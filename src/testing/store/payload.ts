/**
 * The server keeps payloads as serde_json values, whose objects (without serde's
 * `preserve_order`) hold their keys sorted by UTF-8 bytes: every payload it returns comes back
 * in that order, whatever order it was sent in.
 */
export function storedPayload(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(storedPayload);
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareUtf8)) sorted[key] = storedPayload((value as Record<string, unknown>)[key]);
  return sorted;
}

/** UTF-8 byte order, which is code point order: UTF-16 order but for surrogates above U+E000. */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

const codePointRank = (unit: number) => (unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit);
