/**
 * A first Cloudflare Worker: reports whether the Zizq server at `ZIZQ_URL` is up and which
 * version it runs, through the client. Configured by `wrangler.toml`; the producer and drain
 * examples build on it.
 */
import { Client, ZizqError } from "../src/index.ts";

interface Env {
  ZIZQ_URL: string;
}

export default {
  async fetch(_request: Request, env: Env): Promise<Response> {
    const client = new Client({ url: env.ZIZQ_URL, retry: false });
    try {
      await client.health();
      return Response.json({ zizq: env.ZIZQ_URL, status: "ok", version: await client.checkCompatibility() });
    } catch (error) {
      const status = error instanceof ZizqError ? error.message : String(error);
      return Response.json({ zizq: env.ZIZQ_URL, status: "unavailable", error: status }, { status: 502 });
    }
  },
} satisfies ExportedHandler<Env>;
