import { describe, expect, it } from "vitest";
import { columnsOf, ddlType, normaliseRows } from "./rows.ts";

describe("normaliseRows", () => {
  it("turns REST cells into the runner's values, like the DuckDB engine's", () => {
    const fields = [
      { name: "game_date", type: "DATE" },
      { name: "processed_at", type: "TIMESTAMP" },
      { name: "points", type: "INTEGER" },
      { name: "big", type: "INT64" },
      { name: "usage_rate", type: "FLOAT" },
      { name: "pace", type: "NUMERIC" },
      { name: "huge", type: "BIGNUMERIC" },
      { name: "starter", type: "BOOLEAN" },
      { name: "player", type: "STRING" },
      { name: "details", type: "JSON" },
      { name: "missing", type: "STRING" },
    ];
    const row = {
      f: [
        { v: "2025-01-15" },
        { v: "1736985600123456" },
        { v: "27" },
        { v: "9007199254740993" },
        { v: "31.25" },
        { v: "98.123456789" },
        { v: "12345678901234567890.5" },
        { v: "true" },
        { v: "Nikola Jokić" },
        { v: '{"a":1}' },
        { v: null },
      ],
    };
    expect(normaliseRows(fields, [row])).toEqual([
      {
        game_date: "2025-01-15",
        processed_at: "2025-01-16T00:00:00.123Z",
        points: 27,
        big: "9007199254740993",
        usage_rate: 31.25,
        pace: 98.123456789,
        huge: Number("12345678901234567890.5"),
        starter: true,
        player: "Nikola Jokić",
        details: '{"a":1}',
        missing: null,
      },
    ]);
  });

  it("reads timestamps given as float seconds too", () => {
    expect(normaliseRows([{ name: "at", type: "TIMESTAMP" }], [{ f: [{ v: "1.7369856E9" }] }])).toEqual([{ at: "2025-01-16T00:00:00.000Z" }]);
  });

  it("reads repeated fields and records", () => {
    const fields = [
      { name: "games", type: "STRING", mode: "REPEATED" },
      { name: "team", type: "RECORD", fields: [{ name: "abbr", type: "STRING" }, { name: "points", type: "INT64" }] },
    ];
    const row = { f: [{ v: [{ v: "20250115_BOS_LAL" }, { v: "20250115_DEN_PHX" }] }, { v: { f: [{ v: "BOS" }, { v: "112" }] } }] };
    expect(normaliseRows(fields, [row])).toEqual([{ games: ["20250115_BOS_LAL", "20250115_DEN_PHX"], team: { abbr: "BOS", points: 112 } }]);
  });
});

describe("columnsOf", () => {
  it("maps legacy and standard type names to the runner's", () => {
    expect(
      columnsOf([
        { name: "a", type: "INTEGER" },
        { name: "b", type: "FLOAT" },
        { name: "c", type: "BOOLEAN" },
        { name: "d", type: "BIGNUMERIC" },
        { name: "e", type: "DATETIME" },
        { name: "f", type: "TIMESTAMP" },
      ]),
    ).toEqual([
      { name: "a", type: "INT64" },
      { name: "b", type: "FLOAT64" },
      { name: "c", type: "BOOL" },
      { name: "d", type: "NUMERIC" },
      { name: "e", type: "STRING" },
      { name: "f", type: "TIMESTAMP" },
    ]);
  });
});

describe("ddlType", () => {
  it("writes a field's full type as DDL, where columnsOf keeps only the runner's coarse type", () => {
    expect(ddlType({ name: "a", type: "INTEGER" })).toBe("INT64");
    expect(ddlType({ name: "b", type: "FLOAT", mode: "NULLABLE" })).toBe("FLOAT64");
    expect(ddlType({ name: "c", type: "BOOLEAN" })).toBe("BOOL");
    expect(ddlType({ name: "d", type: "DATETIME" })).toBe("DATETIME");
    expect(ddlType({ name: "e", type: "NUMERIC", precision: "10", scale: "2" })).toBe("NUMERIC(10, 2)");
    expect(ddlType({ name: "f", type: "STRING", maxLength: "8" })).toBe("STRING(8)");
    expect(ddlType({ name: "g", type: "STRING", mode: "REPEATED" })).toBe("ARRAY<STRING>");
    expect(ddlType({ name: "h", type: "RANGE", rangeElementType: { type: "DATE" } })).toBe("RANGE<DATE>");
    const team = { name: "team", type: "RECORD", mode: "REPEATED", fields: [{ name: "abbr", type: "STRING", mode: "REQUIRED" }, { name: "points", type: "INTEGER" }] };
    expect(ddlType(team)).toBe("ARRAY<STRUCT<`abbr` STRING NOT NULL, `points` INT64>>");
    // ALTER TABLE ADD COLUMN cannot add a REQUIRED column: the top level leaves NOT NULL out.
    expect(ddlType({ name: "i", type: "DATE", mode: "REQUIRED" }, false)).toBe("DATE");
    expect(ddlType({ name: "i", type: "DATE", mode: "REQUIRED" })).toBe("DATE NOT NULL");
  });
});
