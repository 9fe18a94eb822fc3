/**
 * Expected rows against the rows a model returned, order-insensitive: every expected row must
 * match a row of its own (on the columns it lists, numbers within their tolerance) and no row may
 * be left over. What does not match is told as a difference a person can read: a row that
 * differs (the expected row paired with the model's row of the same key, column by column), a
 * row missing, a row extra.
 */
import type { ColumnType, Row, SqlValue } from "../engines/engine.ts";
import type { CellValue, TestRow } from "./test_file.ts";
import { display, valuesEqual } from "./values.ts";

export interface ColumnDifference {
  column: string;
  expected: CellValue;
  actual: SqlValue;
  tolerance: number | undefined;
}

export type RowDifference =
  | { kind: "differs"; index: number; line: number | undefined; identity: Record<string, SqlValue>; columns: ColumnDifference[] }
  | { kind: "missing"; index: number; line: number | undefined; expected: TestRow }
  | { kind: "extra"; actual: Record<string, SqlValue> };

export interface Comparison {
  passed: boolean;
  expectedRows: number;
  actualRows: number;
  differences: RowDifference[];
}

export interface CompareInput {
  expected: TestRow[];
  /** Line of each expected row in its file, for the difference to point at. */
  expectedLines: (number | undefined)[];
  actual: Row[];
  /** The model's output columns in order, with their types. */
  columns: { name: string; type: ColumnType }[];
  /** The model's unique key: how an expected row and a model row are recognised as the same row. */
  keyColumns: string[];
  tolerance: Record<string, number>;
}

/** Maximum bipartite matching (augmenting paths): which actual row each expected row takes. */
function maximumMatching(candidates: number[][], actualCount: number): (number | undefined)[] {
  const ownerOf: (number | undefined)[] = Array.from({ length: actualCount }, () => undefined);
  const tryAssign = (expected: number, visited: boolean[]): boolean => {
    for (const actual of candidates[expected] ?? []) {
      if (visited[actual]) continue;
      visited[actual] = true;
      const owner = ownerOf[actual];
      if (owner === undefined || tryAssign(owner, visited)) {
        ownerOf[actual] = expected;
        return true;
      }
    }
    return false;
  };
  candidates.forEach((_, expected) => tryAssign(expected, Array.from({ length: actualCount }, () => false)));
  const taken: (number | undefined)[] = candidates.map(() => undefined);
  ownerOf.forEach((owner, actual) => {
    if (owner !== undefined) taken[owner] = actual;
  });
  return taken;
}

export function compareRows(input: CompareInput): Comparison {
  const types = new Map(input.columns.map((column) => [column.name, column.type]));
  const equalOn = (expected: TestRow, actual: Row, column: string) =>
    valuesEqual(types.get(column) ?? "STRING", expected[column] ?? null, actual[column], input.tolerance[column]);
  const matches = (expected: TestRow, actual: Row) => Object.keys(expected).every((column) => equalOn(expected, actual, column));

  const candidates = input.expected.map((expected) => input.actual.flatMap((actual, index) => (matches(expected, actual) ? [index] : [])));
  const taken = maximumMatching(candidates, input.actual.length);
  const usedActual = new Set(taken.filter((index): index is number => index !== undefined));
  const unmatchedExpected = input.expected.flatMap((row, index) => (taken[index] === undefined ? [index] : []));
  let unmatchedActual = input.actual.flatMap((_, index) => (usedActual.has(index) ? [] : [index]));

  // Pair what is left by key: an expected row and a model row that agree on every key column the
  // expected row lists are the same row with different values. Without key columns, the row that
  // agrees on most columns (at least one) is taken.
  const pairs: { expected: number; actual: number; score: number }[] = [];
  for (const expected of unmatchedExpected) {
    const row = input.expected[expected] as TestRow;
    const listedKeys = input.keyColumns.filter((column) => column in row);
    for (const actual of unmatchedActual) {
      const actualRow = input.actual[actual] as Row;
      if (!listedKeys.every((column) => equalOn(row, actualRow, column))) continue;
      const score = Object.keys(row).filter((column) => equalOn(row, actualRow, column)).length;
      if (listedKeys.length > 0 || score > 0) pairs.push({ expected, actual, score });
    }
  }
  pairs.sort((a, b) => b.score - a.score || a.expected - b.expected || a.actual - b.actual);
  const pairedExpected = new Map<number, number>();
  const pairedActual = new Set<number>();
  for (const pair of pairs) {
    if (pairedExpected.has(pair.expected) || pairedActual.has(pair.actual)) continue;
    pairedExpected.set(pair.expected, pair.actual);
    pairedActual.add(pair.actual);
  }
  unmatchedActual = unmatchedActual.filter((index) => !pairedActual.has(index));

  const differences: RowDifference[] = [];
  for (const expected of unmatchedExpected) {
    const row = input.expected[expected] as TestRow;
    const line = input.expectedLines[expected];
    const actualIndex = pairedExpected.get(expected);
    if (actualIndex === undefined) {
      differences.push({ kind: "missing", index: expected, line, expected: row });
      continue;
    }
    const actual = input.actual[actualIndex] as Row;
    const identityColumns = input.keyColumns.filter((column) => column in row);
    differences.push({
      kind: "differs",
      index: expected,
      line,
      identity: pick(actual, identityColumns.length > 0 ? identityColumns : Object.keys(row).filter((column) => equalOn(row, actual, column))),
      columns: Object.keys(row)
        .filter((column) => !equalOn(row, actual, column))
        .map((column) => ({ column, expected: row[column] ?? null, actual: actual[column] ?? null, tolerance: input.tolerance[column] })),
    });
  }
  // An extra row shows its key and every column the expected rows talk about.
  const mentioned = new Set([...input.keyColumns, ...input.expected.flatMap((row) => Object.keys(row))]);
  const shown = input.columns.map((column) => column.name).filter((column) => mentioned.has(column));
  const extraColumns = shown.length > 0 ? shown : input.columns.slice(0, 6).map((column) => column.name);
  for (const actual of unmatchedActual) differences.push({ kind: "extra", actual: pick(input.actual[actual] as Row, extraColumns) });

  return { passed: differences.length === 0, expectedRows: input.expected.length, actualRows: input.actual.length, differences };
}

function pick(row: Row, columns: string[]): Record<string, SqlValue> {
  return Object.fromEntries(columns.map((column) => [column, row[column] ?? null]));
}

function cells(values: Record<string, SqlValue>): string {
  return Object.entries(values)
    .map(([column, value]) => `${column}=${display(value)}`)
    .join(", ");
}

/** The differences as lines, expected rows in file order, then the rows nobody expected. */
export function differenceLines(comparison: Comparison): string[] {
  const lines = [`expected ${comparison.expectedRows} row${comparison.expectedRows === 1 ? "" : "s"}, the model returned ${comparison.actualRows}`];
  const at = (index: number, line: number | undefined) => `expect[${index}]${line === undefined ? "" : ` (line ${line})`}`;
  for (const difference of comparison.differences) {
    if (difference.kind === "differs") {
      lines.push(`${at(difference.index, difference.line)} differs: the row with ${cells(difference.identity)}`);
      for (const column of difference.columns) {
        const within = column.tolerance ? ` (± ${column.tolerance})` : "";
        lines.push(`    ${column.column}: expected ${display(column.expected)}${within}, got ${display(column.actual)}`);
      }
    } else if (difference.kind === "missing") {
      lines.push(`${at(difference.index, difference.line)} missing: no row with ${cells(difference.expected)}`);
    } else {
      lines.push(`extra row: ${cells(difference.actual)}`);
    }
  }
  return lines;
}
