import { describe, expect, it } from "vitest";
import { AnsweredCache, entryBytes } from "./answered_cache.ts";
import { DUPLICATE_CACHE_MAX_BYTES } from "./limits.ts";

const done = { outcome: "completed", runId: "run_20250116T060000_abcdef" };

describe("AnsweredCache (the duplicate fast path)", () => {
  it("remembers answered messages", () => {
    const cache = new AnsweredCache(DUPLICATE_CACHE_MAX_BYTES);
    expect(cache.set("12345678901234567890", done)).toBe(true);
    expect(cache.get("12345678901234567890")).toEqual(done);
    expect(cache.has("other")).toBe(false);
    expect(cache.bytes).toBe(entryBytes("12345678901234567890", done));
  });

  it("stays within its byte budget however large the ids are, forgetting the oldest first", () => {
    const maxBytes = 64 * 1024;
    const cache = new AnsweredCache(maxBytes);
    // 1 MB ids are refused outright: one alone is over the budget.
    expect(cache.set("9".repeat(1_000_000), done)).toBe(false);
    expect(cache.size).toBe(0);
    // 2,000 ids of 1,000 characters (about 2 KB each): only the last ones fit.
    const ids = Array.from({ length: 2_000 }, (_, index) => `${String(index).padStart(6, "0")}${"x".repeat(994)}`);
    for (const id of ids) {
      expect(cache.set(id, done)).toBe(true);
      expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
    }
    const perEntry = entryBytes(ids[0] as string, done);
    expect(cache.size).toBe(Math.floor(maxBytes / perEntry));
    expect(cache.has(ids[0] as string)).toBe(false);
    expect(cache.has(ids.at(-1) as string)).toBe(true);
    expect(cache.has(ids[ids.length - cache.size] as string)).toBe(true);
    expect(cache.has(ids[ids.length - cache.size - 1] as string)).toBe(false);
  });

  it("counts a re-set entry once", () => {
    const cache = new AnsweredCache(10_000);
    cache.set("m-1", done);
    cache.set("m-1", { outcome: "failed", runId: null });
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(entryBytes("m-1", { outcome: "failed", runId: null }));
    expect(cache.get("m-1")).toEqual({ outcome: "failed", runId: null });
  });

  it("keeps thousands of Pub/Sub-sized ids within the default budget", () => {
    const cache = new AnsweredCache(DUPLICATE_CACHE_MAX_BYTES);
    for (let index = 0; index < 20_000; index++) cache.set(String(10_000_000_000_000_000 + index * 7919), done);
    expect(cache.bytes).toBeLessThanOrEqual(DUPLICATE_CACHE_MAX_BYTES);
    expect(cache.size).toBeGreaterThan(5_000);
  });
});
