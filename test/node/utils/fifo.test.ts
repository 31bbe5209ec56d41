import { describe, expect, it } from "vitest";
import { Fifo } from "../../../src/utils/fifo.ts";

describe("Fifo", () => {
  it("hands items back in the order they were pushed", () => {
    const queue = new Fifo<number>();
    for (const n of [1, 2, 3]) queue.push(n);
    expect(queue.size).toBe(3);
    expect([queue.shift(), queue.shift()]).toEqual([1, 2]);
    queue.push(4);
    expect([...queue]).toEqual([3, 4]);
    expect([queue.shift(), queue.shift(), queue.shift()]).toEqual([3, 4, undefined]);
    expect(queue.size).toBe(0);
  });

  it("shows its first and last items without taking them", () => {
    const queue = new Fifo<string>();
    expect([queue.first(), queue.last()]).toEqual([undefined, undefined]);
    queue.push("a");
    queue.push("b");
    expect([queue.first(), queue.last(), queue.size]).toEqual(["a", "b", 2]);
    queue.shift();
    queue.shift();
    expect([queue.first(), queue.last()]).toEqual([undefined, undefined]);
  });

  it("keeps its order while it never empties, across compactions", () => {
    const queue = new Fifo<number>();
    const taken: number[] = [];
    let pushed = 0;
    for (let i = 0; i < 10; i++) queue.push(pushed++);
    // Two in, one out: the queue grows and its taken slots pass the compaction threshold many times.
    for (let round = 0; round < 5_000; round++) {
      queue.push(pushed++);
      queue.push(pushed++);
      taken.push(queue.shift()!);
    }
    while (queue.size > 0) taken.push(queue.shift()!);
    expect(taken).toEqual(Array.from({ length: pushed }, (_, i) => i));
  });

  it("empties on clear", () => {
    const queue = new Fifo<number>();
    queue.push(1);
    queue.clear();
    expect([queue.size, queue.shift(), [...queue]]).toEqual([0, undefined, []]);
  });

  it("keeps undefined items apart from empty", () => {
    const queue = new Fifo<number | undefined>();
    queue.push(undefined);
    expect(queue.size).toBe(1);
    expect(queue.shift()).toBeUndefined();
    expect(queue.size).toBe(0);
  });
});
