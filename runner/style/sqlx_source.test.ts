import { describe, expect, it } from "vitest";
import { PLACEHOLDER, readSqlx, sourceMap } from "./sqlx_source.ts";

const SQLX = [
  "config {",
  '  type: "table",',
  '  description: "braces } in a string { do not close it",',
  "}",
  "",
  "js {",
  "  const pattern = /[}{]/g;",
  "  const list = (values) => values.map((value) => `'${value.replace(pattern, \"\")}'`).join(\", \");",
  "}",
  "",
  "SELECT",
  "  ${list([\"a\", \"b\"])} AS names,",
  "  '${constants.X}' AS quoted,",
  "  -- a comment } that mentions ${nothing}",
  "  points * ${constants.PER_HUNDRED} AS rating",
  "FROM ${ref({",
  '  name: "box_scores"',
  "})}",
  "",
].join("\n");

describe("readSqlx", () => {
  it("blanks config and js blocks and replaces each ${…} (not those in comments) by one word, line for line", () => {
    const sqlx = readSqlx(SQLX);
    const lines = sqlx.masked.split("\n");
    expect(lines).toHaveLength(SQLX.split("\n").length);
    expect(lines.slice(0, 10).every((line) => line.trim() === "")).toBe(true);
    expect(lines[11]).toBe(`  ${PLACEHOLDER} AS names,`);
    expect(lines[12]).toBe(`  '${PLACEHOLDER}' AS quoted,`);
    expect(lines[13]).toBe("  -- a comment } that mentions ${nothing}");
    expect(lines[14]).toBe(`  points * ${PLACEHOLDER} AS rating`);
    expect(lines[15]).toBe(`FROM ${PLACEHOLDER}`);
    expect(sqlx.interpolations.map((interpolation) => interpolation.code)).toEqual([
      'list(["a", "b"])',
      "constants.X",
      "constants.PER_HUNDRED",
      'ref({\n  name: "box_scores"\n})',
    ]);
  });

  it("maps each character of the compiled query to its line, and SQL a ${…} wrote to the ${ line", () => {
    const sqlx = readSqlx(SQLX);
    const values = ["'a', 'b'", "0.44", "100", "`p.nba_raw.box_scores`"];
    const compiled = sqlx.pieces.map((piece, index) => piece.text + (values[index] ?? "")).join("");
    const map = sourceMap(sqlx, compiled);
    expect(map).toBeDefined();
    expect(map?.(compiled.indexOf("AS rating"))).toEqual({ line: 15, interpolated: false });
    expect(map?.(compiled.indexOf("100"))).toEqual({ line: 15, interpolated: true });
    expect(map?.(compiled.indexOf("box_scores`"))).toEqual({ line: 16, interpolated: true });
    expect(map?.(compiled.indexOf("'b'"))).toEqual({ line: 12, interpolated: true });
  });

  it("gives no map for a query that is not the file's SQL", () => {
    expect(sourceMap(readSqlx(SQLX), "SELECT 1")).toBeUndefined();
  });

  it("names the line of a ${ that never closes", () => {
    expect(() => readSqlx("SELECT\n  ${ref(\"x\"\nFROM t\n")).toThrow(/line 2/);
  });
});
