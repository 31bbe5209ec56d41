/**
 * The dashboard's response headers and CSRF check. A random value lives in an HttpOnly,
 * SameSite=Strict cookie and every form carries its HMAC under the mount's key: no session is
 * stored, a cross-site page can neither read the cookie nor make the browser send it, and a
 * cookie planted from a sibling subdomain is useless without the key.
 */
import type { Context } from "hono";

export const CSRF_COOKIE = "zizq_csrf";
export const CSRF_FIELD = "_csrf";

const base64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** 16 random bytes, base64url: a nonce or a token. */
export function randomToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(16)));
}

/** Nothing loads from elsewhere, nothing inline runs or styles without this response's nonce. */
export function securityHeaders(c: Context, nonce: string): void {
  c.header(
    "Content-Security-Policy",
    [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      // The page's icon is an empty data: URL, so the browser asks for no /favicon.ico.
      "img-src data:",
      "form-action 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join("; "),
  );
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Referrer-Policy", "same-origin");
  c.header("Cache-Control", "no-store");
}

/** The token cookie the request carries, when it has the shape of one. */
function tokenCookie(c: Context): string | undefined {
  for (const part of (c.req.header("Cookie") ?? "").split(";")) {
    const [name, value] = part.trim().split("=", 2);
    if (name === CSRF_COOKIE && value !== undefined && /^[\w-]{22}$/.test(value)) return value;
  }
  return undefined;
}

/** An HMAC-SHA-256 key: from the `secret` option, or random for this mount (one process or isolate). */
export function csrfKey(secret: string | undefined): Promise<CryptoKey> {
  const material = secret === undefined ? crypto.getRandomValues(new Uint8Array(32)) : new TextEncoder().encode(secret);
  return crypto.subtle.importKey("raw", material, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** The form token of a cookie: its HMAC under the mount's key, so a cookie planted by a sibling site matches no token it can write. */
async function formToken(key: CryptoKey, cookie: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(cookie))));
}

/**
 * Whether the browser reached the dashboard over TLS: the request's own scheme, or the
 * `X-Forwarded-Proto` of a proxy that ends TLS in front of the app.
 */
function overTls(c: Context): boolean {
  if (new URL(c.req.url).protocol === "https:") return true;
  return c.req.header("X-Forwarded-Proto")?.split(",")[0]?.trim().toLowerCase() === "https";
}

/** The visitor's form token; the cookie it derives from is set on the first visit. */
export async function csrfToken(c: Context, key: CryptoKey, base: string, secureCookie: boolean | undefined): Promise<string> {
  const known = tokenCookie(c);
  if (known) return formToken(key, known);
  const cookie = randomToken();
  const secure = (secureCookie ?? overTls(c)) ? "; Secure" : "";
  c.header("Set-Cookie", `${CSRF_COOKIE}=${cookie}; Path=${base === "" ? "/" : base}; HttpOnly; SameSite=Strict${secure}`, { append: true });
  return formToken(key, cookie);
}

/**
 * Why a POST is refused, or undefined when its token is `expected`: what `csrfToken` answered for
 * this request, the HMAC of the cookie it carries. The Origin header is not compared with the
 * request's URL: behind a proxy that ends TLS the two differ in scheme.
 */
export function csrfProblem(c: Context, expected: string, sent: unknown): string | undefined {
  const site = c.req.header("Sec-Fetch-Site");
  if (site !== undefined && site !== "same-origin") return `a request from another site (${site})`;
  // Without a cookie, `expected` belongs to the one just set, which no form can hold yet.
  if (typeof sent !== "string" || sent === "" || tokenCookie(c) === undefined) return "the form's CSRF token is missing";
  return sameText(sent, expected) ? undefined : "the form's CSRF token does not match";
}

/** Compares every character whatever the first difference, so timing says nothing about the token. */
function sameText(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/** Names a loopback host: the only ones an unauthenticated dashboard answers, against DNS rebinding. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0]!;
  return name === "localhost" || name === "127.0.0.1" || name === "[::1]";
}
