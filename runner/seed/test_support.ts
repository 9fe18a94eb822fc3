/** Helpers of the seed's tests: they check every row of a season, so failures are gathered. */
import { expect } from "vitest";
import type { RawRow } from "../load/rows.ts";

export function groupBy(rows: readonly RawRow[], key: (row: RawRow) => string): Map<string, RawRow[]> {
  const groups = new Map<string, RawRow[]>();
  for (const row of rows) {
    const id = key(row);
    const group = groups.get(id);
    if (group) group.push(row);
    else groups.set(id, [row]);
  }
  return groups;
}

/**
 * Checks every item and reports the first ten failures together: one expect per row would make a
 * season (45k gamebook rows) take half a minute. `check` returns what is wrong, or nothing.
 */
export function expectEvery<T>(items: Iterable<T>, check: (item: T) => string | false | undefined): void {
  const problems: string[] = [];
  for (const item of items) {
    const problem = check(item);
    if (problem) problems.push(problem);
    if (problems.length >= 10) break;
  }
  expect(problems).toEqual([]);
}
