import { describe, expect, it } from "vitest";
import { lazy } from "../../../src/utils/lazy.ts";

describe("lazy", () => {
  it("loads once: every later call answers the same promise", async () => {
    let loads = 0;
    const load = lazy(async () => ({ n: ++loads }));
    const first = load();
    expect(load()).toBe(first);
    expect(await first).toEqual({ n: 1 });
    expect(load()).toBe(first);
    expect(loads).toBe(1);
  });

  it("a load that fails rejects its callers and is tried again by the next call", async () => {
    let loads = 0;
    const load = lazy(async () => {
      if (++loads === 1) throw new Error("chunk missing");
      return "loaded";
    });
    await expect(load()).rejects.toThrow("chunk missing");
    expect(await load()).toBe("loaded");
    expect(loads).toBe(2);
  });
});
