/**
 * The body cap over a real socket (adapters/node.ts `serve`): a chunked body that never says
 * its length is refused (413) while it is still arriving — the endpoint does not wait for the
 * end, nor buffer past the cap — and so is an honest content-length over the cap.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { serve, type ServerHandle } from "../../../adapters/node.ts";
import { signDelivery } from "../../../src/push/signature.ts";
import { within } from "../../support/wait.ts";
import { type Harness, harness, SECRET } from "./harness.ts";

let h: Harness | undefined;
let served: ServerHandle | undefined;
afterEach(async () => {
  await served?.close();
  await h?.close();
  served = h = undefined;
});

function readAll(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => (text += chunk));
    response.on("end", () => resolve(text));
    response.on("error", reject);
  });
}

describe("the body cap over a real socket", () => {
  it("refuses a chunked body without content-length as it passes the cap, before it ends", async () => {
    h = await harness({ maxBodyBytes: 4096 });
    served = await serve(h.app);
    const { id, frame } = await h.take("task", { mode: "ok" });
    const signed = await signDelivery(SECRET, frame);
    const url = new URL("/zizq", served.url);
    const req = httpRequest(url, { method: "POST", headers: { ...signed, "content-type": "application/json", "transfer-encoding": "chunked" } });
    req.on("error", () => {}); // the server may close the socket after its 413
    const answered = new Promise<IncomingMessage>((resolve) => req.once("response", resolve));
    req.flushHeaders();
    let sent = 0;
    let response: IncomingMessage | undefined;
    void answered.then((r) => (response = r));
    // Send 1 KiB every 20 ms and never end the body: only the cap can answer.
    while (response === undefined && sent < 64 * 1024) {
      req.write(Buffer.alloc(1024, 0x20));
      sent += 1024;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const res = await within(answered, "the 413");
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(await readAll(res))).toEqual({ error: "payload_too_large" });
    expect(sent).toBeLessThan(16 * 1024);
    req.destroy();
    expect(h.ran).toEqual([]);
    expect(h.settles).toEqual([]);
    expect((await h.state(id)).status).toBe("in_flight");
  });

  it("refuses an honest content-length over the cap at once", async () => {
    h = await harness({ maxBodyBytes: 1024 });
    served = await serve(h.app);
    const { id, frame } = await h.take("task", { mode: "ok", pad: "x".repeat(3000) });
    const signed = await signDelivery(SECRET, frame);
    const res = await within(
      fetch(new URL("/zizq", served.url), { method: "POST", body: frame, headers: { ...signed, "content-type": "application/json" } }),
      "the 413",
    );
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: "payload_too_large" });
    expect(h.ran).toEqual([]);
    expect(h.settles).toEqual([]);
    expect((await h.state(id)).status).toBe("in_flight");
  });

  it("serves a signed delivery end to end", async () => {
    h = await harness();
    served = await serve(h.app);
    const { id, frame } = await h.take("task", { mode: "ok" });
    const signed = await signDelivery(SECRET, frame);
    const res = await fetch(new URL("/zizq", served.url), { method: "POST", body: frame, headers: { ...signed, "content-type": "application/json" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id, outcome: "completed", settled: true });
    expect((await h.state(id)).status).toBe("completed");
  });
});
