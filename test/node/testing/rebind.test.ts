import { describe, expect, it } from "vitest";
import { add, remove, replaceAll, set, setCost } from "../../../src/testing/store/rebind.ts";

const a = { key: "a", cost: 1 };
const b = { key: "b", cost: 3 };

describe("rebinding verbs (zizq-protocol-0.7.md §5, one job's bindings)", () => {
  it("add appends, and does not apply to a key the job has", () => {
    expect(add(b)([a])).toEqual({ bindings: [a, b] });
    expect(add({ key: "a", cost: 5 })([a, b])).toBe("bound");
  });

  it("set replaces the binding whole in its place, appends a new one, and is unchanged when equal", () => {
    expect(set({ key: "a", cost: 2 })([a, b])).toEqual({ bindings: [{ key: "a", cost: 2 }, b] });
    expect(set(b)([a])).toEqual({ bindings: [a, b] });
    expect(set(a)([a, b])).toBe("unchanged");
  });

  it("setCost changes an existing binding's cost only, and does not apply to a key the job lacks", () => {
    expect(setCost("b", 7)([a, b])).toEqual({ bindings: [a, { key: "b", cost: 7 }] });
    expect(setCost("b", 3)([a, b])).toBe("unchanged");
    expect(setCost("c", 1)([a, b])).toBe("unbound");
  });

  it("remove drops one binding; a key the job lacks is unchanged, not an error", () => {
    expect(remove("a")([a, b])).toEqual({ bindings: [b] });
    expect(remove("c")([a, b])).toBe("unchanged");
  });

  it("replaceAll sets the whole list in the given order; [] clears", () => {
    expect(replaceAll([b, a])([a, b])).toEqual({ bindings: [b, a] });
    expect(replaceAll([a, b])([a, b])).toBe("unchanged");
    expect(replaceAll([])([a])).toEqual({ bindings: [] });
    expect(replaceAll([])([])).toBe("unchanged");
  });
});
