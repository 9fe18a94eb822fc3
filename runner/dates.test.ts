import { describe, expect, it } from "vitest";
import { BadInputError } from "./errors.ts";
import { MAX_RANGE_DAYS, addDays, isCalendarDate, parseRunDates } from "./dates.ts";

describe("run dates", () => {
  it("accepts real calendar dates only", () => {
    expect(isCalendarDate("2024-02-29")).toBe(true);
    expect(isCalendarDate("2025-02-29")).toBe(false);
    expect(isCalendarDate("2025-13-01")).toBe(false);
    expect(isCalendarDate("2025-1-5")).toBe(false);
    expect(isCalendarDate("tomorrow")).toBe(false);
  });

  it("expands a range in order, across month and year ends", () => {
    expect(parseRunDates({ startDate: "2024-12-30", endDate: "2025-01-02" }).dates).toEqual([
      "2024-12-30",
      "2024-12-31",
      "2025-01-01",
      "2025-01-02",
    ]);
    expect(parseRunDates({ date: "2025-01-15" })).toEqual({ start: "2025-01-15", end: "2025-01-15", dates: ["2025-01-15"] });
  });

  it("bounds the range and rejects conflicting or missing dates", () => {
    const start = "2024-10-01";
    expect(parseRunDates({ startDate: start, endDate: addDays(start, MAX_RANGE_DAYS - 1) }).dates).toHaveLength(MAX_RANGE_DAYS);
    expect(() => parseRunDates({ startDate: start, endDate: addDays(start, MAX_RANGE_DAYS) })).toThrow(BadInputError);
    expect(() => parseRunDates({ date: "2025-01-15", startDate: "2025-01-14" })).toThrow(/either --date or/);
    expect(() => parseRunDates({})).toThrow(/no run date given/);
    expect(parseRunDates({}, { start: "2025-01-15", end: "2025-01-16" }).dates).toEqual(["2025-01-15", "2025-01-16"]);
  });
});
