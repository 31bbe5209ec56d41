/**
 * Standard Webhooks (https://www.standardwebhooks.com) over Web Crypto: signing for the relay,
 * verification for the push endpoint. No `node:` imports; runs on workerd, Deno, Bun and Node.
 */
import { ZizqArgumentError } from "../errors/argument-error.ts";
import { ZizqPushRejectedError } from "./errors.ts";

/** The three headers of one signed delivery. */
export interface WebhookHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

const SECRET_PREFIX = "whsec_";
/** Standard Webhooks asks for 24–64 byte keys; we refuse anything under 16 as surely a mistake. */
const MIN_SECRET_BYTES = 16;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** A base64 HMAC-SHA256: exactly 32 bytes. */
const SIGNATURE_B64 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
export const WEBHOOK_ID = /^[A-Za-z0-9_-]{1,256}$/;
export const WEBHOOK_TIMESTAMP = /^\d{1,12}$/;
/**
 * The cap on `webhook-signature`, whose length bounds the work per delivery (one HMAC per
 * signature and secret). The spec sets no limit; a longer header is refused (fail closed).
 * Every `v1` signature in it is considered: a `v1` entry is 47 characters plus its space, so at
 * most 21 fit, far above the 2 a key rotation sends.
 */
export const MAX_SIGNATURE_HEADER = 1024;

const encoder = new TextEncoder();

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}

/** The key bytes of a `whsec_<base64>` secret; throws ZizqArgumentError for anything else. */
export function parseSecret(secret: string): Uint8Array<ArrayBuffer> {
  if (typeof secret !== "string" || !secret.startsWith(SECRET_PREFIX)) {
    throw new ZizqArgumentError("secret", `expected "${SECRET_PREFIX}<base64 key>"`);
  }
  const b64 = secret.slice(SECRET_PREFIX.length);
  if (!BASE64.test(b64)) throw new ZizqArgumentError("secret", "the key after whsec_ is not valid base64");
  const key = decodeBase64(b64);
  if (key.length < MIN_SECRET_BYTES) {
    throw new ZizqArgumentError("secret", `the key is ${key.length} bytes; use at least 24 random bytes (32 recommended)`);
  }
  return key;
}

/** A fresh `whsec_` secret of `bytes` random bytes (default 32). */
export function generateSecret(bytes = 32): string {
  return SECRET_PREFIX + encodeBase64(crypto.getRandomValues(new Uint8Array(bytes)));
}

// Imported keys, per secret string: import once, reuse (cheap on every later delivery).
// Bounded so a process that churns secrets does not grow without limit.
const keyCache = new Map<string, Promise<CryptoKey>>();
const KEY_CACHE_MAX = 64;

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (key === undefined) {
    const raw = parseSecret(secret);
    key = crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(secret, key);
    // A failed import must not stick.
    key.catch(() => keyCache.delete(secret));
  }
  return key;
}

/** Validates secrets up front (throws ZizqArgumentError), so a bad config fails at setup. */
export function checkSecrets(secrets: string | readonly string[]): readonly string[] {
  const list = typeof secrets === "string" ? [secrets] : [...secrets];
  if (list.length === 0) throw new ZizqArgumentError("secrets", "at least one whsec_ secret is required");
  for (const secret of list) parseSecret(secret);
  return list;
}

/** `${id}.${timestamp}.` followed by the exact body bytes. */
function signedContent(id: string, timestamp: string, body: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const head = encoder.encode(`${id}.${timestamp}.`);
  const tail = typeof body === "string" ? encoder.encode(body) : body;
  const out = new Uint8Array(head.length + tail.length);
  out.set(head, 0);
  out.set(tail, head.length);
  return out;
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return `msg_${hex}`;
}

/** Standard Webhooks signing: `v1,<base64 HMAC-SHA256(key, `${id}.${timestamp}.${body}`)>`; `secret` is `whsec_<base64 key>`. */
export async function signDelivery(
  secrets: string | readonly string[],
  body: string | Uint8Array,
  options?: { id?: string; timestampSec?: number },
): Promise<{ "webhook-id": string; "webhook-timestamp": string; "webhook-signature": string }> {
  const list = checkSecrets(secrets);
  const id = options?.id ?? randomId();
  if (!WEBHOOK_ID.test(id)) throw new ZizqArgumentError("id", "expected 1–256 characters of [A-Za-z0-9_-]");
  const ts = options?.timestampSec ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(ts) || ts < 0) throw new ZizqArgumentError("timestampSec", "expected whole unix seconds ≥ 0");
  const timestamp = String(ts);
  const content = signedContent(id, timestamp, body);
  const signatures = await Promise.all(
    list.map(async (secret) => {
      const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), content);
      return `v1,${encodeBase64(new Uint8Array(mac))}`;
    }),
  );
  return { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signatures.join(" ") };
}

/** The headers of a delivery, shape-checked (no crypto yet). */
export interface ParsedWebhookHeaders {
  id: string;
  timestamp: string;
  timestampSec: number;
  /** Decoded `v1` signatures, 32 bytes each; unknown versions are ignored, as the spec asks. */
  signatures: Uint8Array<ArrayBuffer>[];
}

type HeaderSource = Headers | Readonly<Record<string, string | undefined>>;

function header(source: HeaderSource, name: string): string | null {
  if (typeof (source as Headers).get === "function") return (source as Headers).get(name);
  const value = (source as Record<string, string | undefined>)[name];
  return value ?? null;
}

/**
 * Checks the three headers' shape: 400 for a missing or malformed id or timestamp, 401 for a
 * missing or malformed signature. A header sent twice arrives joined by ", " and fails here.
 */
export function parseWebhookHeaders(headers: HeaderSource): ParsedWebhookHeaders {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signature = header(headers, "webhook-signature");
  if (id === null || timestamp === null) throw new ZizqPushRejectedError("missing_header");
  if (!WEBHOOK_ID.test(id)) throw new ZizqPushRejectedError("malformed_header", "webhook-id is not 1–256 characters of [A-Za-z0-9_-]");
  if (!WEBHOOK_TIMESTAMP.test(timestamp)) throw new ZizqPushRejectedError("malformed_header", "webhook-timestamp is not unix seconds");
  if (signature === null || signature === "") throw new ZizqPushRejectedError("missing_signature");
  if (signature.length > MAX_SIGNATURE_HEADER) throw new ZizqPushRejectedError("malformed_signature", "webhook-signature is too long");
  const signatures: Uint8Array<ArrayBuffer>[] = [];
  // The spec's list is space-delimited; a run of spaces separates two entries, as in the
  // reference libraries, not an empty (malformed) one.
  for (const entry of signature.split(" ")) {
    if (entry === "") continue;
    const comma = entry.indexOf(",");
    if (comma <= 0) throw new ZizqPushRejectedError("malformed_signature");
    if (entry.slice(0, comma) !== "v1") continue;
    const b64 = entry.slice(comma + 1);
    if (!SIGNATURE_B64.test(b64)) throw new ZizqPushRejectedError("malformed_signature", "a v1 signature is not 32 bytes of base64");
    signatures.push(decodeBase64(b64));
  }
  if (signatures.length === 0) throw new ZizqPushRejectedError("missing_signature", "no v1 signature");
  return { id, timestamp, timestampSec: Number(timestamp), signatures };
}

/** 401 `stale_timestamp` when the timestamp is more than `toleranceSec` in the past or the future. */
export function checkTimestamp(timestampSec: number, toleranceSec: number, nowMs: number = Date.now()): void {
  const now = Math.floor(nowMs / 1000);
  if (Math.abs(now - timestampSec) > toleranceSec) throw new ZizqPushRejectedError("stale_timestamp");
}

/**
 * True when any (secret × v1 signature) pair matches. Every pair is checked with
 * `crypto.subtle.verify` (constant time by contract) and all results are awaited before
 * deciding: no early exit reveals which key matched, or that one did early.
 */
export async function verifySignatures(
  secrets: readonly string[],
  parsed: Pick<ParsedWebhookHeaders, "id" | "timestamp" | "signatures">,
  body: Uint8Array,
): Promise<boolean> {
  const content = signedContent(parsed.id, parsed.timestamp, body);
  const keys = await Promise.all(secrets.map(hmacKey));
  const checks: Promise<boolean>[] = [];
  for (const key of keys) {
    for (const sig of parsed.signatures) checks.push(crypto.subtle.verify("HMAC", key, sig, content));
  }
  const results = await Promise.all(checks);
  let ok = false;
  for (const r of results) ok = ok || r; // `||` evaluated over all; no break
  return ok;
}

/**
 * The full Standard Webhooks check of one delivery (shape, freshness, signature), in that
 * order. Throws ZizqPushRejectedError; returns the parsed headers when the delivery is authentic.
 */
export async function verifyDelivery(
  secrets: string | readonly string[],
  headers: HeaderSource,
  body: string | Uint8Array,
  options?: { toleranceSec?: number; nowMs?: number },
): Promise<ParsedWebhookHeaders> {
  const list = checkSecrets(secrets);
  const parsed = parseWebhookHeaders(headers);
  checkTimestamp(parsed.timestampSec, options?.toleranceSec ?? 300, options?.nowMs);
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  if (!(await verifySignatures(list, parsed, bytes))) throw new ZizqPushRejectedError("invalid_signature");
  return parsed;
}
