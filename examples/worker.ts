/**
 * A first Cloudflare Worker: reports whether the Zizq server at `ZIZQ_URL` is up and which
 * version it runs. Configured by `wrangler.toml`; the producer and drain examples build on it.
 */
interface Env {
  ZIZQ_URL: string;
}

export default {
  async fetch(_request: Request, env: Env): Promise<Response> {
    const base = env.ZIZQ_URL.replace(/\/+$/, "");
    try {
      const health = await fetch(`${base}/health`);
      const version = await fetch(`${base}/version`);
      const body = {
        zizq: base,
        status: health.ok ? ((await health.json()) as { status: string }).status : `HTTP ${health.status}`,
        version: version.ok ? ((await version.json()) as { version: string }).version : undefined,
      };
      return Response.json(body, { status: health.ok ? 200 : 502 });
    } catch (error) {
      return Response.json({ zizq: base, status: "unreachable", error: String(error) }, { status: 502 });
    }
  },
} satisfies ExportedHandler<Env>;
