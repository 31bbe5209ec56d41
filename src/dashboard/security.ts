/**
 * The dashboard's response headers and CSRF check. The token is a double-submit cookie: a random
 * value in an HttpOnly, SameSite=Strict cookie that every form repeats. It needs no server-side
 * state, so it holds across Worker isolates; a cross-site page can neither read the cookie nor
 * make the browser send it.
 */
import type { Context } from "hono";

export const CSRF_COOKIE = "zizq_csrf";
export const CSRF_FIELD = "_csrf";

/** 16 random bytes, base64url: a nonce or a token. */
export function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
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

/** The visitor's CSRF token, set as a cookie on the first visit. */
export function csrfToken(c: Context, base: string): string {
  const known = tokenCookie(c);
  if (known) return known;
  const token = randomToken();
  const secure = new URL(c.req.url).protocol === "https:" ? "; Secure" : "";
  c.header("Set-Cookie", `${CSRF_COOKIE}=${token}; Path=${base === "" ? "/" : base}; HttpOnly; SameSite=Strict${secure}`, { append: true });
  return token;
}

/**
 * Why a POST is refused, or undefined when its token matches the cookie. The Origin header is
 * not compared with the request's URL: behind a proxy that ends TLS the two differ in scheme.
 */
export function csrfProblem(c: Context, sent: unknown): string | undefined {
  const site = c.req.header("Sec-Fetch-Site");
  if (site !== undefined && site !== "same-origin") return `a request from another site (${site})`;
  const cookie = tokenCookie(c);
  if (typeof sent !== "string" || sent === "" || cookie === undefined) return "the form's CSRF token is missing";
  return sameText(sent, cookie) ? undefined : "the form's CSRF token does not match";
}

/** Compares every character whatever the first difference, so timing says nothing about the token. */
function sameText(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}
