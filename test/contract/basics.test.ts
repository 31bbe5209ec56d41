// §13 facts 1–7 and 155: health, version, negotiation, routing fallbacks, reset.
import { decode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { eachTier, job, REMOTE_URL, target } from "./harness.ts";

describe("basics", () => {
  it("fact 1: GET /health is 200 JSON {status:ok}", async (ctx) => {
    const t = await target(ctx);
    const r = await t.get("/health");
    expect(r.status).toBe(200);
    expect(r.contentType).toBe("application/json");
    expect(r.body).toEqual({ status: "ok" });
  });

  it("fact 2: GET /version is 200 {version:0.6.1}", async (ctx) => {
    // In-process the test server acts out 0.6.1 on request (it speaks 0.7 by default, fact 158).
    const t = await target(ctx, REMOTE_URL ? {} : { version: "0.6.1" });
    const r = await t.get("/version");
    expect(r.status).toBe(200);
    expect(r.contentType).toBe("application/json");
    // The digest's version is that of commit 017ea6d; a real server may be newer.
    if (t.remote) expect(r.body).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    else expect(r.body).toEqual({ version: "0.6.1" });
  });

  it("fact 3: GET /health with Accept msgpack answers MessagePack", async (ctx) => {
    const t = await target(ctx);
    const r = await t.get("/health", { accept: "application/msgpack" });
    expect(r.status).toBe(200);
    expect(r.contentType).toBe("application/msgpack");
    expect(decode(r.bytes)).toEqual({ status: "ok" });
  });

  it("fact 4: GET /health with Accept text/xml is 406 with the supported list", async (ctx) => {
    const t = await target(ctx);
    const r = await t.get("/health", { accept: "text/xml" });
    expect(r.status).toBe(406);
    expect(r.contentType).toBe("application/json");
    expect(r.body).toEqual({ error: "not acceptable", supported: ["application/json", "application/msgpack"] });
  });

  it("fact 5: GET /health with Accept */* is 200 JSON", async (ctx) => {
    const t = await target(ctx);
    const r = await t.get("/health", { accept: "*/*" });
    expect(r.status).toBe(200);
    expect(r.contentType).toBe("application/json");
    expect(r.body).toEqual({ status: "ok" });
  });

  it("fact 6: an unknown path is 404 {error:not found}", async (ctx) => {
    const t = await target(ctx);
    const r = await t.get("/nope");
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: "not found" });
  });

  it("fact 7: GET /jobs/bulk is 405 with an empty body", async (ctx) => {
    const t = await target(ctx);
    const r = await t.get("/jobs/bulk");
    expect(r.status).toBe(405);
    expect(r.bytes.length).toBe(0);
    // §2.5: axum's 405 carries an Allow header naming the route's methods.
    expect(r.headers.get("allow")).toContain("POST");
  });

  it("fact 155: POST /reset is 204 empty on both tiers and clears jobs and crons", async (ctx) => {
    await eachTier(ctx, async (t, tier) => {
      const empty = await t.post("/reset");
      expect(empty.status).toBe(204);
      expect(empty.bytes.length).toBe(0);
      if (tier !== "pro") return;
      await t.enqueue();
      const put = await t.put("/crons/default", {
        entries: [{ name: "e1", expression: "0 9 * * *", job: job() }],
      });
      expect(put.status).toBe(200);
      const reset = await t.post("/reset");
      expect(reset.status).toBe(204);
      expect(reset.bytes.length).toBe(0);
      expect((await t.get("/jobs/count")).body).toEqual({ count: 0 });
      expect((await t.get("/crons")).body).toEqual({ crons: [] });
    });
  });
});
