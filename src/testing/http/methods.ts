import type { Context } from "hono";
import { acceptFormat } from "./negotiate.ts";
import type { Format } from "./respond.ts";

export type Handler = (c: Context) => Response | Promise<Response>;

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Path segments as given: the server looks them up and never validates them. */
export const param = (c: Context, name: string) => c.req.param(name) ?? "";

/** Axum's 405: an empty body and an `Allow` header; `GET` routes also answer `HEAD`. */
export function methods(handlers: Partial<Record<Method, Handler>>): Handler {
  const allow = Object.keys(handlers)
    .flatMap((method) => (method === "GET" ? ["GET", "HEAD"] : [method]))
    .join(",");
  return (c) => {
    const method = c.req.method === "HEAD" ? "GET" : c.req.method;
    const handler = handlers[method as Method];
    if (!handler) return new Response(null, { status: 405, headers: { allow } });
    return handler(c);
  };
}

/** The format an error should be written in, even when `Accept` itself was the problem. */
export function tryFormat(request: Request): Format {
  try {
    return acceptFormat(request);
  } catch {
    return "json";
  }
}
