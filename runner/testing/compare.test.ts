import { describe, expect, it } from "vitest";
import type { ColumnType, Row } from "../engines/engine.ts";
import { compareRows, differenceLines, type CompareInput } from "./compare.ts";
import type { TestRow } from "./test_file.ts";
import { valueProblem, valuesEqual } from "./values.ts";

const COLUMNS: { name: string; type: ColumnType }[] = [
  { name: "team_abbr", type: "STRING" },
  { name: "points", type: "INT64" },
  { name: "pace", type: "NUMERIC" },
  { name: "win_flag", type: "BOOL" },
];

function compare(expected: TestRow[], actual: Row[], options: Partial<CompareInput> = {}) {
  return compareRows({ expected, expectedLines: expected.map((_, index) => 10 + index), actual, columns: COLUMNS, keyColumns: ["team_abbr"], tolerance: {}, ...options });
}

describe("compareRows", () => {
  it("ignores row order and the columns an expected row does not list", () => {
    const result = compare(
      [{ team_abbr: "PHI", points: 98 }, { team_abbr: "LAL" }],
      [
        { team_abbr: "LAL", points: 96, pace: 82.1, win_flag: false },
        { team_abbr: "PHI", points: 98, pace: 83.1, win_flag: true },
      ],
    );
    expect(result.passed).toBe(true);
  });

  it("finds the assignment that matches every row when a greedy one would not", () => {
    // {win_flag: false} matches both rows; taken first by LAL it would leave nothing for {team_abbr: LAL}.
    const result = compare([{ win_flag: false }, { team_abbr: "LAL" }], [
      { team_abbr: "LAL", win_flag: false },
      { team_abbr: "BOS", win_flag: false },
    ]);
    expect(result.passed).toBe(true);
  });

  it("needs one model row per expected row: a duplicated expectation is a missing row", () => {
    const result = compare([{ team_abbr: "LAL" }, { team_abbr: "LAL" }], [{ team_abbr: "LAL" }]);
    expect(result.differences).toEqual([{ kind: "missing", index: 1, line: 11, expected: { team_abbr: "LAL" } }]);
  });

  it("pairs a row that differs with the model row of the same key, column by column", () => {
    const result = compare([{ team_abbr: "PHI", points: 98, pace: 83.2 }], [{ team_abbr: "PHI", points: 98, pace: 83.1 }]);
    expect(result.differences).toEqual([
      { kind: "differs", index: 0, line: 10, identity: { team_abbr: "PHI" }, columns: [{ column: "pace", expected: 83.2, actual: 83.1, tolerance: undefined }] },
    ]);
    expect(differenceLines(result)).toEqual([
      "expected 1 row, the model returned 1",
      'expect[0] (line 10) differs: the row with team_abbr="PHI"',
      "    pace: expected 83.2, got 83.1",
    ]);
  });

  it("never pairs rows whose listed key differs: that is a missing row and an extra row", () => {
    const result = compare([{ team_abbr: "BOS", points: 84 }], [{ team_abbr: "LAL", points: 84, pace: 80 }]);
    expect(differenceLines(result).slice(1)).toEqual(['expect[0] (line 10) missing: no row with team_abbr="BOS", points=84', 'extra row: team_abbr="LAL", points=84']);
  });

  it("compares numbers within the column's tolerance, exactly otherwise, and NULL only with NULL", () => {
    expect(compare([{ team_abbr: "PHI", pace: 83.14 }], [{ team_abbr: "PHI", pace: 83.1 }], { tolerance: { pace: 0.05 } }).passed).toBe(true);
    expect(compare([{ team_abbr: "PHI", pace: 83.16 }], [{ team_abbr: "PHI", pace: 83.1 }], { tolerance: { pace: 0.05 } }).passed).toBe(false);
    expect(compare([{ team_abbr: "PHI", pace: 83.14 }], [{ team_abbr: "PHI", pace: 83.1 }]).passed).toBe(false);
    expect(compare([{ team_abbr: "PHI", pace: null }], [{ team_abbr: "PHI", pace: 0 }]).passed).toBe(false);
    expect(compare([{ team_abbr: "PHI", pace: null }], [{ team_abbr: "PHI", pace: null }]).passed).toBe(true);
  });

  it("expects no row at all with an empty list", () => {
    const result = compare([], [{ team_abbr: "LAL", points: 96 }]);
    expect(differenceLines(result)).toEqual(["expected 0 rows, the model returned 1", 'extra row: team_abbr="LAL"']);
  });
});

describe("values", () => {
  it("refuses a value of another type than its column's", () => {
    expect(valueProblem("INT64", "3")).toBe('expected a whole number (INT64), got "3"');
    expect(valueProblem("INT64", 3.5)).toBe("expected a whole number (INT64), got 3.5");
    expect(valueProblem("STRING", 22400561)).toBe('expected text (STRING), got 22400561: quote it, "22400561"');
    expect(valueProblem("DATE", "2025-02-30")).toContain("expected a calendar date");
    expect(valueProblem("TIMESTAMP", "yesterday")).toContain("expected a timestamp");
    expect(valueProblem("BOOL", "true")).toBe('expected true or false (BOOL), got "true"');
    for (const type of ["STRING", "INT64", "NUMERIC", "BOOL", "DATE", "TIMESTAMP"] as const) expect(valueProblem(type, null)).toBeUndefined();
    expect(valueProblem("TIMESTAMP", "2025-01-16T06:00:00Z")).toBeUndefined();
    expect(valueProblem("NUMERIC", 105.84)).toBeUndefined();
  });

  it("compares timestamps as instants and numbers without floating-point noise", () => {
    expect(valuesEqual("TIMESTAMP", "2025-01-16T06:00:00Z", "2025-01-16T06:00:00.000Z")).toBe(true);
    expect(valuesEqual("FLOAT64", 0.3, 0.1 + 0.2)).toBe(true);
    expect(valuesEqual("STRING", "0022400561", "22400561")).toBe(false);
  });
});
