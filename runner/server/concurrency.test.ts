import { describe, expect, it } from "vitest";
import { KeyedLocks, Slots } from "./concurrency.ts";

describe("KeyedLocks (single flight per date)", () => {
  it("gives a key to one holder at a time and frees it on release", () => {
    const locks = new KeyedLocks<string>();
    const release = locks.tryAcquire("2025-01-15", "m-1");
    expect(release).toBeTypeOf("function");
    expect(locks.tryAcquire("2025-01-15", "m-2")).toBeUndefined();
    expect(locks.holder("2025-01-15")).toBe("m-1");
    // Another date is independent.
    expect(locks.tryAcquire("2025-01-16", "m-3")).toBeTypeOf("function");
    release?.();
    release?.(); // releasing twice is harmless
    expect(locks.tryAcquire("2025-01-15", "m-2")).toBeTypeOf("function");
    expect(locks.size).toBe(2);
  });
});

describe("Slots (bounded runs)", () => {
  it("grants up to the capacity at once, then in arrival order", async () => {
    const slots = new Slots(2);
    const first = await slots.acquire(1, 1000);
    const second = await slots.acquire(1, 1000);
    const order: string[] = [];
    const third = slots.acquire(1, 1000).then((release) => (order.push("third"), release));
    const fourth = slots.acquire(1, 1000).then((release) => (order.push("fourth"), release));
    expect(slots.waiting).toBe(2);
    second?.();
    (await third)?.();
    first?.();
    (await fourth)?.();
    expect(order).toEqual(["third", "fourth"]);
    expect(slots.inUse).toBe(0);
  });

  it("gives up after the timeout, and the queue moves on", async () => {
    const slots = new Slots(1);
    const held = await slots.acquire(1, 1000);
    expect(await slots.acquire(1, 20)).toBeUndefined();
    expect(slots.waiting).toBe(0);
    held?.();
    expect(await slots.acquire(1, 20)).toBeTypeOf("function");
  });

  it("runs an exclusive (full-weight) holder alone, and later small ones do not overtake it", async () => {
    const slots = new Slots(3);
    const small = await slots.acquire(1, 1000);
    const order: string[] = [];
    const exclusive = slots.acquire(3, 1000).then((release) => (order.push("exclusive"), release));
    const later = slots.acquire(1, 1000).then((release) => (order.push("later"), release));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(order).toEqual([]);
    small?.();
    const releaseExclusive = await exclusive;
    expect(slots.inUse).toBe(3);
    releaseExclusive?.();
    (await later)?.();
    expect(order).toEqual(["exclusive", "later"]);
  });

  it("caps a weight at the capacity", async () => {
    const slots = new Slots(2);
    expect(await slots.acquire(10, 10)).toBeTypeOf("function");
    expect(slots.inUse).toBe(2);
  });
});
