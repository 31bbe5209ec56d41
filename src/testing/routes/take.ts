import { Hono } from "hono";
import { methods } from "../http/methods.ts";
import { streamFormat } from "../http/negotiate.ts";
import { parseUnsigned, QueryError, readParams } from "../http/query.ts";
import { PlainError } from "../http/respond.ts";
import type { AppDeps } from "./deps.ts";

/** `GET /jobs/take`: a stream of jobs, held open by the take hub. */
export function takeRoutes({ hub }: AppDeps): Hono {
  const app = new Hono();
  app.all(
    "/take",
    methods({
      GET: (c) => {
        const format = streamFormat(c.req.raw);
        const { queues, prefetch } = takeParams(new URL(c.req.url));
        const workerId = c.req.header("worker-id") || randomWorkerId();
        return hub.open({ format, queues, prefetch, workerId });
      },
    }),
  );
  return app;
}

function takeParams(url: URL): { queues: Set<string>; prefetch: number } {
  try {
    const params = readParams(url, ["queue", "prefetch"]);
    const prefetch = params.get("prefetch");
    return {
      queues: new Set((params.get("queue") ?? "").split(",").filter((q) => q !== "")),
      prefetch: prefetch === undefined ? 1 : Number(parseUnsigned(prefetch, "u64")),
    };
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    throw new PlainError(400, `Failed to deserialize query string: ${error.message}`);
  }
}

function randomWorkerId(): string {
  return crypto.getRandomValues(new Uint32Array(1))[0]?.toString(16).padStart(8, "0") ?? "00000000";
}
