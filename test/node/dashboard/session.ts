/** The dashboard mounted in a real Hono app over the seeded test server, and a browser-like session. */
import { Hono } from "hono";
import { type DashboardOptions, zizqDashboard } from "../../../adapters/hono.ts";
import { type SeededServer, seededServer } from "../../../scripts/dashboard-seed.ts";

export const BASE = "/admin/zizq";

export interface Mounted {
  app: Hono;
  seeded: SeededServer;
  /** Paths the dashboard asked the Zizq server for, in order. */
  calls: string[];
}

/** A fault a real server cannot be made to produce: `fail` names the requests that throw as a dropped connection would. */
export interface Faults {
  fail?: (request: Request) => boolean;
  /** Runs after each answered request, as another process acting on the server at that moment would. */
  after?: (request: Request, response: Response) => Promise<void>;
}

export async function mount(options: Partial<DashboardOptions> = {}, faults: Faults = {}): Promise<Mounted> {
  const seeded = await seededServer();
  const calls: string[] = [];
  const { Client } = await import("../../../src/client/client.ts");
  const client = new Client({
    url: "http://zizq.test",
    // A fault reaches the dashboard as it is, not hidden by the Client's own retries.
    retry: false,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      calls.push(`${request.method} ${url.pathname}${url.search}`);
      if (faults.fail?.(request)) throw new TypeError("fetch failed");
      const response = await seeded.server.fetch(request);
      await faults.after?.(request, response.clone());
      return response;
    },
  });
  const app = new Hono();
  app.route(BASE, zizqDashboard({ client, authorize: () => true, ...options }));
  return { app, seeded, calls };
}

/** Keeps the CSRF cookie between requests, as a browser does. */
export class Session {
  private cookie = "";

  constructor(private readonly app: Hono) {}

  /** This session with another's cookie: the same browser on another mount. */
  withCookieOf(other: Session): this {
    this.cookie = other.cookie;
    return this;
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Headers }> {
    const response = await this.app.request(`${BASE}${path}`, { headers: { cookie: this.cookie, ...headers } });
    const set = response.headers.get("set-cookie");
    if (set) this.cookie = set.split(";")[0]!;
    return { status: response.status, text: await response.text(), headers: response.headers };
  }

  /** The token the page's forms carry. */
  async token(): Promise<string> {
    const { text } = await this.get("/crons");
    return /name="_csrf" value="([^"]+)"/.exec(text)![1]!;
  }

  async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; text: string; location: string | null }> {
    const response = await this.app.request(`${BASE}${path}`, {
      method: "POST",
      body: new URLSearchParams(fields),
      headers: { cookie: this.cookie, "content-type": "application/x-www-form-urlencoded", ...headers },
    });
    return { status: response.status, text: await response.text(), location: response.headers.get("location") };
  }
}
