/**
 * Cells of a test file against the columns they fill or check: a value of the wrong type for its
 * column (a string for an INT64, 44.5 for an INT64, "2025-02-30" for a DATE) is a malformed file,
 * caught before anything runs, so a test never passes or fails because of a silent conversion.
 * The same rules decide whether an expected value equals what the model gave.
 */
import type { ColumnType, SqlValue } from "../engines/engine.ts";
import { isCalendarDate } from "../dates.ts";
import { show } from "../load/problems.ts";
import type { CellValue } from "./test_file.ts";

const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

/** Why `value` cannot be a value of a `type` column, or undefined when it can. NULL fits every column. */
export function valueProblem(type: ColumnType, value: CellValue): string | undefined {
  if (value === null) return undefined;
  switch (type) {
    case "STRING":
      return typeof value === "string" ? undefined : `expected text (STRING), got ${show(value)}${typeof value === "number" ? `: quote it, "${value}"` : ""}`;
    case "INT64":
      return typeof value === "number" && Number.isInteger(value) ? undefined : `expected a whole number (INT64), got ${show(value)}`;
    case "FLOAT64":
    case "NUMERIC":
      return typeof value === "number" ? undefined : `expected a number (${type}), got ${show(value)}`;
    case "BOOL":
      return typeof value === "boolean" ? undefined : `expected true or false (BOOL), got ${show(value)}`;
    case "DATE":
      return typeof value === "string" && isCalendarDate(value) ? undefined : `expected a calendar date YYYY-MM-DD (DATE), got ${show(value)}`;
    case "TIMESTAMP":
      return typeof value === "string" && TIMESTAMP_PATTERN.test(value) && !Number.isNaN(Date.parse(value)) && isCalendarDate(value.slice(0, 10))
        ? undefined
        : `expected a timestamp like "2025-01-16T06:00:00Z" (TIMESTAMP), got ${show(value)}`;
    case "JSON":
      return undefined;
  }
}

export function isNumericType(type: ColumnType): boolean {
  return type === "INT64" || type === "FLOAT64" || type === "NUMERIC";
}

/** Floating-point noise below this is no difference (0.1 + 0.2 is 0.3). */
const EPSILON = 1e-9;

/**
 * Whether the model's value equals the expected one: numbers within the column's tolerance
 * (exactly, without one), timestamps as instants, everything else as it is.
 */
export function valuesEqual(type: ColumnType, expected: CellValue, actual: SqlValue | undefined, tolerance = 0): boolean {
  if (expected === null || actual === null || actual === undefined) return expected === null && (actual === null || actual === undefined);
  if (isNumericType(type)) {
    const number = typeof actual === "number" ? actual : Number(actual);
    return typeof expected === "number" && Math.abs(number - expected) <= tolerance + EPSILON * Math.max(1, Math.abs(expected));
  }
  if (type === "TIMESTAMP") return Date.parse(String(expected)) === Date.parse(String(actual));
  return expected === actual;
}

/** A value as a difference shows it: text quoted, NULL in capitals. */
export function display(value: SqlValue | undefined): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
