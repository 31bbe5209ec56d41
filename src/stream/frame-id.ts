/**
 * The job id at the head of a bad frame, so a Worker can kill a job whose frame it cannot decode.
 * The server writes `id` first in every job frame; only the head is read, never the whole frame,
 * and these run only for a frame that is already known to be bad.
 */

/** The longest id read; Zizq ids are 25-char SCRU128 strings. */
const MAX_ID = 64;

/** `id` if it can be a job id: 1–64 chars, none of them `"`, `\` or a control character. */
function jobId(id: string): string | undefined {
  const length = id.length;
  if (length === 0 || length > MAX_ID) return undefined;
  for (let i = 0; i < length; i++) {
    const code = id.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c) return undefined;
  }
  return id;
}

/** The index of the first non-JSON-whitespace char of `text` at or after `i`. */
function skipSpace(text: string, i: number): number {
  for (;;) {
    const code = text.charCodeAt(i);
    if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return i;
    i++;
  }
}

/**
 * The id in a JSON frame's text from `start` when it begins `{"id":"<id>"` (JSON whitespace
 * allowed between the tokens); `undefined` otherwise, or when the text stops before the closing `"`.
 */
export function jsonFrameId(text: string, start = 0): string | undefined {
  let i = skipSpace(text, start);
  if (text.charCodeAt(i) !== 0x7b) return undefined; // {
  i = skipSpace(text, i + 1);
  if (!text.startsWith('"id"', i)) return undefined;
  i = skipSpace(text, i + 4);
  if (text.charCodeAt(i) !== 0x3a) return undefined; // :
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) !== 0x22) return undefined; // "
  const value = text.slice(i + 1, i + 2 + MAX_ID); // the id and its closing quote, at most
  const end = value.indexOf('"');
  return end === -1 ? undefined : jobId(value.slice(0, end));
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The id in a MessagePack frame body held in `bytes[start, end)` (after its length prefix) when
 * it begins with a non-empty map header (fixmap, map16 or map32), then the key `"id"` as a fixstr,
 * then the value as a fixstr or str8; `undefined` otherwise, or when `end` comes first.
 */
export function msgpackFrameId(bytes: Uint8Array, start: number, end: number): string | undefined {
  let i = start;
  if (i >= end) return undefined;
  const map = bytes[i] as number;
  if (map >= 0x81 && map <= 0x8f) i += 1;
  else if (map === 0xde) i += 3;
  else if (map === 0xdf) i += 5;
  else return undefined;
  if (i + 4 > end || bytes[i] !== 0xa2 || bytes[i + 1] !== 0x69 || bytes[i + 2] !== 0x64) return undefined;
  if (map >= 0xde && bytes.subarray(start + 1, i).every((byte) => byte === 0)) return undefined; // an empty map16/map32
  const str = bytes[i + 3] as number;
  let length: number;
  if (str >= 0xa0 && str <= 0xbf) {
    length = str - 0xa0;
    i += 4;
  } else if (str === 0xd9 && i + 5 <= end) {
    length = bytes[i + 4] as number;
    i += 5;
  } else return undefined;
  if (i + length > end) return undefined;
  try {
    return jobId(utf8.decode(bytes.subarray(i, i + length)));
  } catch {
    return undefined; // not UTF-8
  }
}
