/** The example Worker (wrangler.toml's main) inside workerd, calling a Zizq server on loopback. */
import { inject, it, expect } from "vitest";
import worker from "../../examples/worker.ts";

it("reports the health and version of the Zizq server at ZIZQ_URL", async () => {
  const response = await worker.fetch(new Request("http://worker.test/"), { ZIZQ_URL: inject("zizqUrl") });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ zizq: inject("zizqUrl"), status: "ok", version: "0.6.1" });
});

// A refused connection would also answer 502, but workerd logs its own uncaught error for it.
it("answers 502 when the URL does not lead to a Zizq health check", async () => {
  const response = await worker.fetch(new Request("http://worker.test/"), { ZIZQ_URL: `${inject("zizqUrl")}/elsewhere` });
  expect(response.status).toBe(502);
  expect(await response.json()).toMatchObject({ status: "unavailable", error: expect.stringContaining("404") });
});
